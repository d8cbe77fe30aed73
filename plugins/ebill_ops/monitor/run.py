"""What the tasks of ``ebill_interface_monitor`` call: measure a window, then alert on changes.

``measure`` reads the call log (and bill delivery times) of the window plus the look-back slots,
judges each slot and replaces the window's rows in ``ebops.interface_health``. ``alert`` walks
those rows in time order through ``incidents.track`` (key ``interface:<name>``): a mail when an
incident opens, escalates or recovers, nothing while it merely goes on. A re-run of an old window
never reopens or closes an incident that later runs have moved on from.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Mapping
from typing import Any

import jinja2

from ebill_ops import alerts, db, incidents
from ebill_ops.config import common, section
from ebill_ops.intervals import Window, local_now
from ebill_ops.monitor.assess import ADVICE, CAUSE_TEXT, SlotStats, Verdict, assess, build_slots
from ebill_ops.monitor.settings import MonitorSettings
from ebill_ops.paths import templates_dir
from ebill_ops.transit.batches import executemany_uniform

DAG_ID = "ebill_interface_monitor"


def settings() -> MonitorSettings:
    return section("monitor", MonitorSettings)


def incident_key(interface: str) -> str:
    return f"interface:{interface}"


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def health_row(
    slot: SlotStats, verdict: Verdict, start: dt.datetime, length: dt.timedelta, now: dt.datetime
) -> dict:
    slot_start = start + slot.slot_no * length
    return {
        "interface": slot.interface,
        "slot_start": slot_start,
        "slot_end": slot_start + length,
        "calls": slot.calls,
        "failures": slot.failures,
        "success_rate": round((slot.calls - slot.failures) / slot.calls, 4) if slot.calls else None,
        "mean_ms": _round(slot.mean_ms),
        "p95_ms": _round(slot.p95_ms),
        "max_ms": slot.max_ms,
        "error_codes": slot.error_codes_text(),
        "window_calls": verdict.window_calls,
        "window_failures": verdict.window_failures,
        "conn_failures": verdict.conn_failures,
        "top_place_code": verdict.top_place,
        "top_place_failures": verdict.top_place_failures,
        "due": slot.due,
        "late": slot.late,
        "delay_mean_s": _round(slot.delay_mean_s),
        "delay_p95_s": _round(slot.delay_p95_s),
        "status": verdict.status,
        "cause": verdict.cause,
        "severity": verdict.severity,
        "detail": verdict.detail or None,
        "computed_at": now,
    }


def measure(window: Window, cfg: MonitorSettings | None = None) -> dict[str, Any]:
    """Judge every slot of the window; keep one row per interface and slot in ebops."""
    cfg = cfg or settings()
    conns = common().connections
    length = dt.timedelta(minutes=cfg.slot_minutes)
    judged = max(1, math.ceil((window.end - window.start) / length))
    range_start = window.start - cfg.lookback_slots * length
    range_end = window.start + judged * length
    late_after = dt.timedelta(minutes=cfg.delivery.late_after_minutes)
    params = {"range_start": range_start, "range_end": range_end, "slot_seconds": int(length.total_seconds())}
    with db.connect(conns.ebill_db) as bill:
        stats = bill.rows("monitor/call_stats", params)
        breakdown = bill.rows("monitor/call_breakdown", params)
        delivery = bill.rows(
            "monitor/delivery_due",
            {
                "due_start": range_start - late_after,
                "due_end": range_end - late_after,
                "slot_seconds": params["slot_seconds"],
                "late_after_seconds": int(late_after.total_seconds()),
            },
        )
        places = {r["place_code"]: r for r in bill.rows("monitor/points")}
    slots = build_slots(stats, breakdown, delivery, cfg.interfaces, cfg.lookback_slots + judged)
    judged_slots = assess(slots, cfg.lookback_slots, cfg, places)
    now = local_now()
    rows = [health_row(s, v, range_start, length, now) for s, v in judged_slots]
    with db.connect(conns.ebops_db, read_only=False) as ops:
        ops.execute("monitor/delete_health", {"range_start": window.start, "range_end": range_end})
        executemany_uniform(ops, "monitor/insert_health", rows)
    breaches = [r for r in rows if r["status"] == "breach"]
    return {
        "window": [window.start.isoformat(sep=" "), range_end.isoformat(sep=" ")],
        "slots": judged,
        "rows": len(rows),
        "breaches": len(breaches),
        "by_cause": dict(Counter(f"{r['interface']}:{r['cause']}" for r in breaches)),
    }


def _render(template: str, **values: Any) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir())), autoescape=True)
    return env.get_template(template).render(**values)


def _mail(outcome: incidents.Outcome, row: Mapping[str, Any], since: dt.datetime | None) -> None:
    interface = row["interface"]
    if outcome.decision == "recover":
        minutes = int((row["slot_start"] - since).total_seconds() // 60) if since else 0
        subject = alerts.subject(
            "recovered", DAG_ID, f"{interface} recovered 已恢复 at {row['slot_start']:%m-%d %H:%M}"
        )
        body = _render(
            "monitor_recovered.html.j2",
            row=row,
            opened_at=since,
            minutes=minutes,
            runbook=alerts.runbook_link(DAG_ID, "recovered"),
        )
    else:
        cause = row["cause"] or ""
        kind = "critical" if row["severity"] == "critical" else "alert"
        subject = alerts.subject(
            kind, DAG_ID, f"{interface} {CAUSE_TEXT.get(cause, cause)} since {row['slot_start']:%m-%d %H:%M}"
        )
        body = _render(
            "monitor_alert.html.j2",
            row=row,
            cause_text=CAUSE_TEXT.get(cause, cause),
            advice=ADVICE.get(cause, ""),
            escalated=outcome.decision == "escalate",
            runbook=alerts.runbook_link(DAG_ID, cause),
        )
    alerts.send_mail(subject, body)


def alert(window: Window, cfg: MonitorSettings | None = None) -> dict[str, Any]:
    """Open, escalate or close one incident per interface, slot by slot; mail only on a change."""
    cfg = cfg or settings()
    length = dt.timedelta(minutes=cfg.slot_minutes)
    judged = max(1, math.ceil((window.end - window.start) / length))
    params = {"range_start": window.start, "range_end": window.start + judged * length}
    mails: list[dict[str, Any]] = []
    skipped = 0
    with db.connect(common().connections.ebops_db, read_only=False) as ops:
        for row in ops.rows("monitor/window_health", params):
            key = incident_key(row["interface"])
            previous = ops.one("incidents/get", {"alert_key": key})
            if previous is not None and previous["last_seen_at"] > row["slot_end"]:
                skipped += 1  # a re-run of an older slot: the incident has moved on since
                continue
            outcome = incidents.track(
                ops,
                key,
                active=row["status"] == "breach",
                severity=row["severity"] if row["status"] == "breach" else "ok",
                summary=f"{row['slot_start']:%Y-%m-%d %H:%M} {row['cause'] or 'ok'}: {row['detail'] or ''}",
                now=row["slot_end"],
            )
            if outcome.should_notify:
                # The incident opened at the END of its first breached slot (now=slot_end above):
                # the breach began one slot earlier, and that is the time people act on.
                since = previous["opened_at"] - length if previous and outcome.decision == "recover" else None
                # Mail before commit: if the mail fails, the retry decides (and mails) again.
                _mail(outcome, row, since)
                mails.append(
                    {
                        "interface": row["interface"],
                        "decision": outcome.decision,
                        "cause": row["cause"],
                        "slot_start": row["slot_start"].isoformat(sep=" "),
                        "since": since.isoformat(sep=" ") if since else None,
                    }
                )
            ops.commit()
    return {"mails": mails, "stale_rows_skipped": skipped}
