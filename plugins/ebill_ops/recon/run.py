"""What the reconciliation DAG's tasks call: reconcile a window, compare with finance, report.

Each task works on the run's window (one local day when scheduled; any range on a manual run)
and writes per day, so a backfill of N days and N daily runs leave the same rows.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ebill_ops import db
from ebill_ops.config import common, section
from ebill_ops.intervals import Window, as_date, local_now
from ebill_ops.recon import buckets
from ebill_ops.recon.detail import Contributions, TooManyDifferences, reconcile_detail, scan_data_errors
from ebill_ops.recon.finance import FinanceDay, compare_day, platform_days, transit_bills
from ebill_ops.recon.model import DataError, Difference
from ebill_ops.recon.settings import ReconSettings
from ebill_ops.recon.sources import Bounds, Side
from ebill_ops.recon.store import DayResult, save_finance, save_his
from ebill_ops.recon.totals import SummaryLine, compare_totals, day_totals, fetch_totals, unbalanced_days

log = logging.getLogger(__name__)


def settings() -> ReconSettings:
    return section("recon", ReconSettings)


def sides() -> tuple[Side, Side]:
    conns = common().connections
    return Side.from_conn_id("his", conns.his_db), Side.from_conn_id("platform", conns.ebill_db)


def bounds_of(window: Window, cfg: ReconSettings) -> Bounds:
    return Bounds(window, cfg.date_basis, dt.timedelta(days=cfg.lookaround_days))


def day_runs(days: set[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Consecutive days as (first, last) ranges: one detail pass per range."""
    runs: list[tuple[dt.date, dt.date]] = []
    for day in sorted(days):
        if runs and runs[-1][1] + dt.timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def part_of(window: Window, first: dt.date, last: dt.date) -> Window:
    """The part of ``window`` from the start of ``first`` to the end of ``last``."""
    return Window(
        max(window.start, dt.datetime.combine(first, dt.time())),
        min(window.end, dt.datetime.combine(last + dt.timedelta(days=1), dt.time())),
    )


@dataclass
class Reconciliation:
    """Everything one window's HIS ↔ platform reconciliation found."""

    window: Window
    days: list[DayResult]
    lines: list[SummaryLine]
    differences: list[Difference]
    data_errors: list[DataError]
    stats: dict[str, Any] = field(default_factory=dict)


def reconcile(window: Window, cfg: ReconSettings, his: Side, platform: Side) -> Reconciliation:
    """Totals first, then the detail where it is wanted; nothing is written."""
    started = time.perf_counter()
    bounds = bounds_of(window, cfg)
    days = window.days
    his_totals, platform_totals = buckets.both(
        lambda: fetch_totals(his, "recon/his_totals", bounds.his()),
        lambda: fetch_totals(platform, "recon/platform_totals", bounds.platform()),
    )
    plain = compare_totals(his_totals, platform_totals, days)
    wanted = set(days) if cfg.detail == "always" else unbalanced_days(plain)
    per_day = day_totals(plain)
    differences: list[Difference] = []
    errors: list[DataError] = []
    contributions: Contributions = {}
    status: dict[dt.date, tuple[str, str | None]] = {
        d: ("skipped_balanced", "totals balance; detail not run (recon.detail)") for d in days
    }
    stats: dict[dt.date, dict[str, Any]] = {d: {} for d in days}
    for first, last in day_runs(wanted):
        sub = part_of(window, first, last)
        rows = sum(
            max(per_day[d].his_count, per_day[d].platform_count) for d in per_day if first <= d <= last
        )
        nbuckets = buckets.bucket_count(rows, cfg.rows_per_bucket, cfg.min_buckets, cfg.max_buckets)
        try:
            found = reconcile_detail(bounds.shifted(sub.start, sub.end), his, platform, cfg, nbuckets)
        except TooManyDifferences as exc:
            log.error("detail of %s..%s refused: %s", first, last, exc)
            for d in sub.days:
                status[d] = ("too_many", str(exc))
            continue
        differences.extend(found.differences)
        errors.extend(found.data_errors)
        contributions.update(found.contributions)
        for d in sub.days:
            status[d] = ("done", None)
            stats[d] = found.stats
    skipped = {d for d, (s, _) in status.items() if s == "skipped_balanced"}
    for first, last in day_runs(skipped):
        sub = part_of(window, first, last)
        errors.extend(scan_data_errors(bounds.shifted(sub.start, sub.end), his, cfg))
    done = {d for d, (s, _) in status.items() if s == "done"}
    lines = compare_totals(his_totals, platform_totals, days, contributions, done)
    by_day_diffs = Counter(d.biz_date for d in differences)
    by_day_errors = Counter(e.biz_date for e in errors)
    results = []
    for day, total in day_totals(lines).items():
        day_lines = [line for line in lines if line.biz_date == day]
        explained = None if day not in done else all(line.explained for line in day_lines)
        results.append(
            DayResult(
                biz_date=day,
                date_basis=cfg.date_basis,
                his_count=total.his_count,
                his_amount=total.his_amount,
                platform_count=total.platform_count,
                platform_amount=total.platform_amount,
                differences=by_day_diffs[day],
                data_errors=by_day_errors[day],
                balanced=all(line.balanced for line in day_lines) and by_day_diffs[day] == 0,
                explained=explained,
                detail_status=status[day][0],
                detail_note=status[day][1],
                stats=stats[day],
            )
        )
    seconds = round(time.perf_counter() - started, 2)
    log.info("reconciled %s..%s in %.1f s: %s differences", days[0], days[-1], seconds, len(differences))
    return Reconciliation(window, results, lines, differences, errors, {"seconds": seconds})


def summarize(rec: Reconciliation) -> dict[str, Any]:
    """Small and JSON-safe: what the run found per day (the task's XCom)."""
    classes: dict[dt.date, Counter] = {d.biz_date: Counter() for d in rec.days}
    kinds: dict[dt.date, Counter] = {d.biz_date: Counter() for d in rec.days}
    for d in rec.differences:
        classes[d.biz_date][d.diff_class] += 1
    for e in rec.data_errors:
        kinds[e.biz_date][e.kind] += 1
    return {
        "days": [
            {
                "date": day.biz_date.isoformat(),
                "balanced": day.balanced,
                "explained": day.explained,
                "detail": day.detail_status,
                "differences": dict(sorted(classes[day.biz_date].items())),
                "data_errors": dict(sorted(kinds[day.biz_date].items())),
                "his_count": day.his_count,
                "platform_count": day.platform_count,
            }
            for day in rec.days
        ],
        "differences": len(rec.differences),
        "data_errors": len(rec.data_errors),
        "seconds": rec.stats.get("seconds"),
    }


def reconcile_his(window: Window, run_id: str | None = None) -> dict[str, Any]:
    """Task: HIS ↔ platform for the window, kept in ebops (days replaced, statuses carried)."""
    cfg = settings()
    his, platform = sides()
    rec = reconcile(window, cfg, his, platform)
    now = local_now()
    with db.connect(common().connections.ebops_db, read_only=False) as ops:
        carried = save_his(
            ops, window.days, rec.days, rec.lines, rec.differences, rec.data_errors, run_id, now
        )
    out = summarize(rec)
    out["statuses_carried"] = carried
    return out


def reconcile_finance(window: Window, run_id: str | None = None, client: Any = None) -> dict[str, Any]:
    """Task: the platform's issue-day totals against finance's, with the in-transit bills."""
    conns = common().connections
    params = {"window_start": window.start, "window_end": window.end}
    with db.connect(conns.ebill_db) as bill:
        issued = platform_days(bill.rows("recon/platform_issue_totals", params))
        transit = transit_bills(bill.rows("recon/platform_transit", params))
    owned = client is None
    if owned:
        from ebill_ops.finance.hook import FinanceGatewayHook

        client = FinanceGatewayHook(conns.finance_gateway).get_client()
    try:
        answers = [client.daily_totals(day) for day in window.days]
    finally:
        if owned:
            client.close()
    lines = [
        compare_day(
            a.date, issued.get(a.date), FinanceDay(a.date, a.count, a.amount, a.archived_count), transit
        )
        for a in answers
    ]
    now = local_now()
    with db.connect(conns.ebops_db, read_only=False) as ops:
        save_finance(ops, window.days, lines, transit, run_id, now)
    return {
        "days": [
            {
                "date": x.biz_date.isoformat(),
                "balanced": x.balanced,
                "explained": x.explained,
                "count_diff": x.count_diff,
                "archived_diff": x.archived_diff,
                "transit": x.transit_before_supervision + x.transit_before_archive,
            }
            for x in lines
        ]
    }


DAG_ID = "ebill_reconciliation"


class NotReconciled(RuntimeError):
    """The run has no HIS ↔ platform result for a day of its window (reconcile_his failed)."""


def rows_by_day(rows: list[dict[str, Any]]) -> dict[dt.date, dict[str, Any]]:
    """``recon_day`` rows by date (Oracle returns its DATE columns as datetimes)."""
    return {as_date(r["biz_date"]): r for r in rows}


def not_reconciled(
    days: list[dt.date], rows: dict[dt.date, dict[str, Any]], run_id: str | None
) -> list[dt.date]:
    """Days of the window without a result, or (given a run) without this run's result."""
    return [d for d in days if d not in rows or (run_id and rows[d]["run_id"] != run_id)]


def result_changed(decision: str, previous: dict[str, Any] | None, summary: str) -> bool:
    """An open day whose result differs from what was mailed (the incident keeps 1000 characters)."""
    return decision == "ongoing" and previous is not None and previous["summary"] != summary[:1000]


def report(window: Window, run_id: str | None = None) -> dict[str, Any]:
    """Task: a workbook per day from what ebops holds, and one mail for the days that need people.

    A day mails when it first stops balancing, when its result changes on a re-run, and when it
    balances again (``alert_incident`` remembers); an identical re-run sends nothing.
    """
    from ebill_ops import alerts, artifacts, incidents
    from ebill_ops.recon import report as rpt
    from ebill_ops.recon.store import day_range

    cfg = settings()
    site = common()
    notices = []
    out_days = []
    with db.connect(site.connections.ebops_db, read_only=False) as ops:
        rows = rows_by_day(ops.rows("recon/report_days", day_range(window.days)))
        missing = not_reconciled(window.days, rows, run_id)
        if missing:
            raise NotReconciled(
                f"no reconciliation result of this run for {', '.join(map(str, missing))}: reconcile_his "
                "did not finish; nothing reported (clear the run once the sources answer)"
            )
        for day in window.days:
            row = rows[day]
            key = {"biz_date": day}
            lines = ops.rows("recon/report_summary", key)
            differences = ops.rows("recon/report_differences", key)
            errors = ops.rows("recon/report_data_errors", key)
            finance = ops.one("recon/report_finance", key) if cfg.finance else None
            transit = ops.rows("recon/report_transit", key) if cfg.finance else []
            finance_state = rpt.finance_state_of(finance, run_id, cfg.finance)
            data = rpt.build_workbook(
                row,
                lines,
                differences,
                errors,
                finance,
                transit,
                site=site.site_name,
                finance_state=finance_state,
            )
            name = f"ebill_recon_{day.isoformat()}.xlsx"
            url = artifacts.write_bytes(data, "recon", name)
            ops.execute("recon/set_workbook", {"workbook_url": url, "biz_date": day})
            classes = dict(Counter(d["diff_class"] for d in differences))
            severity = rpt.day_severity(row, finance_state)
            summary = rpt.incident_summary(row, classes, finance_state)
            previous = ops.one("incidents/get", {"alert_key": f"recon:{day.isoformat()}"})
            outcome = incidents.track(
                ops,
                f"recon:{day.isoformat()}",
                active=severity != "ok",
                severity=severity if severity != "ok" else "info",
                summary=summary,
                now=local_now(),
            )
            changed = result_changed(outcome.decision, previous, summary)
            notify = {
                "always": True,
                "never": False,
                "unbalanced": outcome.should_notify or changed,
            }[cfg.mail_when]
            entry = {
                "date": day.isoformat(),
                "severity": severity,
                "decision": outcome.decision,
                "his_count": row["his_count"],
                "platform_count": row["platform_count"],
                "classes": classes,
                "data_errors": row["data_errors"],
                "error_kinds": dict(Counter(e["kind"] for e in errors)),
                "explained": rpt.YES_NO.get(row["explained"]),
                "finance": finance_state,
                "workbook": url,
                "workbook_name": name,
            }
            out_days.append(
                {k: entry[k] for k in ("date", "severity", "decision", "classes", "data_errors", "workbook")}
            )
            if notify:
                notices.append(entry)
        # Mailed before the incidents commit: if the mail fails, the retry decides (and mails) again.
        mailed = False
        if notices:
            worst = max((n["severity"] for n in notices), key=["ok", "warning", "critical"].index)
            needs_action = any(n["severity"] != "ok" for n in notices)
            total = sum(sum(n["classes"].values()) for n in notices)
            errors_total = sum(n["data_errors"] for n in notices)
            first, last = notices[0]["date"], notices[-1]["date"]
            span = first if first == last else f"{first}..{last}"
            kind = "critical" if worst == "critical" else "alert" if needs_action else "recovered"
            detail = f"{span}: {total} differences, {errors_total} data errors 对账差异"
            body = rpt.render_mail(
                {
                    "site": site.site_name,
                    "environment": site.environment,
                    "first_day": first,
                    "last_day": last,
                    "days": notices,
                    "needs_action": needs_action,
                    "runbook": alerts.runbook_link(DAG_ID),
                    "run_id": run_id,
                }
            )
            alerts.send_mail(alerts.subject(kind, DAG_ID, detail), body)
            mailed = True
    return {"days": out_days, "mailed": mailed, "mailed_days": [n["date"] for n in notices]}
