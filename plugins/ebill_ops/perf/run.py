"""The advisor's tasks: database checks per connection, slow interfaces from the call log, and
the weekly report (kept, mailed once per content). Read-only everywhere but ebops."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from ebill_ops import alerts, artifacts, db
from ebill_ops.config import common
from ebill_ops.intervals import Window, window_from_context
from ebill_ops.monitor.settings import MonitorSettings
from ebill_ops.perf import database, interfaces, report, store
from ebill_ops.perf.findings import Finding, check_finding, is_unreadable, unavailable
from ebill_ops.perf.settings import PerfSettings, perf_settings

log = logging.getLogger(__name__)

DAG_ID = "ebill_performance_advisor"
INTERFACE_HINT = (
    "需要对 interface_call_log 的 SELECT 权限。 Needs SELECT on the interface call log (data contract)."
)


def now_local() -> dt.datetime:
    import pendulum

    return pendulum.now(common().timezone).naive().replace(microsecond=0)


def week_of(
    params: Mapping[str, Any] | None,
    data_interval_start: dt.datetime | None,
    data_interval_end: dt.datetime | None,
) -> Window:
    """Whole local days: the scheduled run's week, or ``start`` (+7 days unless ``end``) of a manual run."""
    params = dict(params or {})
    if params.get("start") and not params.get("end"):
        start = dt.date.fromisoformat(str(params["start"])[:10])
        params["end"] = (start + dt.timedelta(days=7)).isoformat()
    window = window_from_context(params, data_interval_start, data_interval_end, common().timezone)
    start = dt.datetime.combine(window.start.date(), dt.time())
    end = dt.datetime.combine(window.end.date(), dt.time())
    if end <= start:
        end = start + dt.timedelta(days=1)
    return Window(start, end)


def is_live(window: Window, now: dt.datetime, settings: PerfSettings) -> bool:
    """The database views describe the database now: only a recent week may record them."""
    return window.end >= now - dt.timedelta(days=settings.live_days)


def why_kept(ops: db.Db, window: Window, now: dt.datetime, settings: PerfSettings) -> str | None:
    """Why this run must not record the database views for its week (None: it may).

    The views show the database now. A week that ended long ago, or one followed by a later
    recorded week, keeps what was recorded: re-reading would file today's figures under it and
    overwrite the top-SQL snapshot that the later week's differences are measured from.
    """
    if not is_live(window, now, settings):
        return f"backfill: the week ended more than {settings.live_days} days ago"
    later = store.later_week(ops, window.start.date())
    if later is not None:
        return f"a later week ({later:%Y-%m-%d}) is recorded"
    return None


def check_database(conn_id: str, window: Window, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """Top SQL, statistics, bloat and index hints of one database; findings replace the week's."""
    settings = perf_settings()
    now = now or now_local()
    week = window.start.date()
    with db.connect(common().connections.ebops_db) as ops:
        kept = why_kept(ops, window, now, settings)
        previous = {} if kept else store.previous_snapshot(ops, week, conn_id)
    if kept:
        log.info("database findings of %s for %s are kept as recorded: %s", conn_id, week, kept)
        return {"source": conn_id, "skipped": f"{kept}: database findings are kept as recorded"}
    with contextlib.ExitStack() as stack:
        try:
            target = stack.enter_context(db.connect(conn_id, read_only=True))
        except Exception as exc:
            # Unreachable or refused: the report says so; the task fails only if ebops is down too.
            # Errors after connecting are not caught here: each check reports its own query's
            # failure, anything else is a bug that should fail the task, not pose as "connect".
            log.warning("performance checks of %s could not connect: %s", conn_id, type(exc).__name__)
            findings, snapshot = (
                [unavailable("connect", exc, "检查连接与账户 check the connection and account")],
                [],
            )
        else:
            findings, snapshot = database.check_database(target, settings, previous)
    with db.connect(common().connections.ebops_db, read_only=False) as ops:
        saved = store.replace_findings(ops, week, conn_id, findings, now)
        if snapshot:
            store.replace_snapshot(ops, week, conn_id, snapshot, now)
    return _summary(conn_id, findings, saved)


def check_interfaces(window: Window, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """p95 per interface and service over the week, and the slow windows, from the call log."""
    settings = perf_settings()
    monitor = _monitor_settings()
    conn_id = common().connections.ebill_db
    source = f"{conn_id}:interface_call_log"
    slot_seconds = settings.interface.slot_minutes * 60
    try:
        with db.connect(conn_id, read_only=True) as bill:
            week_rows = bill.rows("perf/interface_week", window.params())
            slot_rows = bill.rows("perf/interface_slots", {**window.params(), "slot_seconds": slot_seconds})
    except Exception as exc:
        log.warning("interface call log not readable: %s", type(exc).__name__)
        findings = [unavailable("slow_interface", exc, INTERFACE_HINT)]
    else:
        weekly = interfaces.weekly_findings(week_rows, monitor)
        windows = interfaces.slow_windows(slot_rows, window, monitor, settings.interface)
        findings = [
            *weekly,
            *interfaces.window_findings(
                windows, interfaces.interface_p95(week_rows), monitor, settings.interface
            ),
            check_finding(
                "slow_interface",
                examined=sum(int(r["calls"]) for r in week_rows),
                found=sum(f.needs_attention for f in weekly) + len(windows),
                unit="calls",
            ),
        ]
    with db.connect(common().connections.ebops_db, read_only=False) as ops:
        saved = store.replace_findings(ops, window.start.date(), source, findings, now or now_local())
    return _summary(source, findings, saved)


def _monitor_settings() -> MonitorSettings:
    from ebill_ops.config import section

    return section("monitor", MonitorSettings)


def _summary(source: str, findings: list[Finding], saved: int) -> dict[str, Any]:
    return {
        "source": source,
        "findings": saved,
        "attention": {
            category: sum(1 for f in findings if f.category == category and f.needs_attention)
            for category in sorted({f.category for f in findings})
        },
        "unreadable": [f.target for f in findings if is_unreadable(f.category, f.severity, f.target)],
    }


def incomplete(expected_databases: list[str], database_results: Any, interface_result: Any) -> list[str]:
    """Check tasks of this run that returned nothing (failed after their retries)."""
    if isinstance(database_results, Mapping):  # one mapped result comes back bare
        database_results = [database_results]
    done = {r.get("source") for r in (database_results or []) if isinstance(r, Mapping)}
    missing = [f"check_database[{conn_id}]" for conn_id in expected_databases if conn_id not in done]
    if not isinstance(interface_result, Mapping):
        missing.append("check_interfaces")
    return missing


def make_report(
    window: Window,
    *,
    run_id: str | None,
    now: dt.datetime | None = None,
    missing: list[str] | None = None,
) -> dict[str, Any]:
    """Render the week's findings, keep the report, mail it unless this content was mailed already.

    ``missing`` names check tasks of this run that failed: the report says its figures for them
    are the last recorded (or absent), and the mail goes out even when the content looks the same.
    """
    missing = list(missing or [])
    settings = perf_settings()
    now = now or now_local()
    week = window.start.date()
    with db.connect(common().connections.ebops_db) as ops:
        rows = store.findings_of_week(ops, week)
        previous = store.get_run(ops, week)
        live = why_kept(ops, window, now, settings) is None
    html_text = report.render(window, rows, generated_at=now, run_id=run_id, live=live, missing=missing)
    url = artifacts.write_text(html_text, "perf", f"perf_{week:%Y-%m-%d}.html")
    summary = report.summarize(rows)
    fingerprint = report.fingerprint(rows)
    already = (
        not missing
        and previous is not None
        and previous.get("fingerprint") == fingerprint
        and previous.get("mailed_at")
    )
    mailed_to: list[str] = []
    if not already:
        attention = summary["warning"] + summary["critical"]
        kind = "alert" if summary["critical"] else "report"
        last_day = window.end - dt.timedelta(days=1)
        mailed_to = alerts.send_mail(
            alerts.subject(
                kind, DAG_ID, f"{week:%Y-%m-%d}~{last_day:%m-%d}: {attention} item(s) to look at 项待处理"
            ),
            html_text + f"<p>报告 Report: {url}</p><p>处理手册 Runbook: {alerts.runbook_link(DAG_ID)}</p>",
        )
    with db.connect(common().connections.ebops_db, read_only=False) as ops:
        store.save_run(
            ops,
            {
                "week_start": week,
                "week_end": window.end.date(),
                "finished_at": now,
                "worst_severity": summary["worst"],
                "warning_count": summary["warning"],
                "critical_count": summary["critical"],
                "report_url": url,
                # An incomplete report is not "this content, mailed": once the failed check is
                # cleared and the report runs again, the complete one is mailed.
                "fingerprint": None if missing else fingerprint,
                "mailed_at": now if mailed_to else (previous or {}).get("mailed_at"),
            },
        )
    return {
        "week_start": week.isoformat(),
        "week_end": window.end.date().isoformat(),
        "worst": summary["worst"],
        "warning": summary["warning"],
        "critical": summary["critical"],
        "per_category": summary["per_category"],
        "unreadable": summary["unreadable"],
        "report_url": url,
        "mailed_to": mailed_to,
        "incomplete": missing,
    }
