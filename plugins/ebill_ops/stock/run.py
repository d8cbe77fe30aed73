"""The stock-watch task: read the platform, assess, keep the result in ebops, mail warnings."""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any

from ebill_ops import alerts, db, incidents
from ebill_ops.config import common, section
from ebill_ops.intervals import Window, local_now
from ebill_ops.stock.assess import (
    AuditLine,
    StockLine,
    StockSettings,
    assess_audits,
    assess_stock,
    worst,
)

DAG_ID = "ebill_stock_watch"


def check(check_date: dt.date) -> tuple[list[StockLine], list[AuditLine]]:
    """Stock and audit deadlines as of ``check_date`` (the local day after the data interval)."""
    settings = section("stock", StockSettings)
    conns = common().connections
    usage_window = Window(
        dt.datetime.combine(check_date - dt.timedelta(days=settings.usage_window_days), dt.time()),
        dt.datetime.combine(check_date, dt.time()),
    )
    year2 = f"{check_date.year % 100:02d}"
    with db.connect(conns.ebill_db) as bill:
        remaining = bill.rows("stock/ranges", {"year2": year2})
        usage = bill.rows("stock/usage", usage_window.params())
        points = bill.rows("stock/points")
        cycles = bill.rows("stock/open_audits")
    return (
        assess_stock(remaining, usage, points, settings, year2=year2),
        assess_audits(cycles, check_date, settings),
    )


def save(check_date: dt.date, stock: list[StockLine], audits: list[AuditLine]) -> None:
    """Replace the day's rows in ebops (a re-run gives the same table)."""
    now = local_now()
    with db.connect(common().connections.ebops_db, read_only=False) as ops:
        ops.execute("stock/delete_stock_status", {"check_date": check_date})
        ops.execute("stock/delete_audit_status", {"check_date": check_date})
        ops.executemany(
            "stock/insert_stock_status",
            [{**s.row(), "check_date": check_date, "computed_at": now} for s in stock],
        )
        ops.executemany(
            "stock/insert_audit_status",
            [{**a.row(), "check_date": check_date, "computed_at": now} for a in audits],
        )


def summarize(check_date: dt.date, stock: list[StockLine], audits: list[AuditLine]) -> dict[str, Any]:
    return {
        "check_date": check_date.isoformat(),
        "severity": worst([s.severity for s in stock] + [a.severity for a in audits]),
        "points_checked": len({s.place_code for s in stock}),
        "low_stock": [
            {
                "place_code": s.place_code,
                "bill_batch_code": s.bill_batch_code,
                "remaining": s.remaining,
                "days_left": s.days_left,
                "severity": s.severity,
            }
            for s in stock
            if s.severity != "ok"
        ],
        "audit_deadlines": [
            {
                "cycle_id": a.cycle_id,
                "deadline": a.deadline.isoformat(),
                "days_left": a.days_left,
                "severity": a.severity,
            }
            for a in audits
            if a.severity != "ok"
        ],
    }


def notify(summary: dict[str, Any]) -> bool:
    """One mail per check day listing what needs a person; nothing when all is well.

    Each check day is an incident (``stock:<day>``) recorded in the transaction that mails: a
    re-run or a retry of the day mails again only when the day got worse, and a failed mail is
    sent by the retry (the record rolls back with it).
    """
    if summary["severity"] == "ok":
        return False
    detail = f"{len(summary['low_stock'])} low-stock, {len(summary['audit_deadlines'])} audit deadline(s)"
    with db.connect(common().connections.ebops_db, read_only=False) as ops:
        outcome = incidents.track(
            ops, f"stock:{summary['check_date']}", active=True, severity=summary["severity"], summary=detail
        )
        if not outcome.should_notify:
            return False
        kind = "critical" if summary["severity"] == "critical" else "alert"
        alerts.send_mail(alerts.subject(kind, DAG_ID, detail), _mail_body(summary))
    return True


def _mail_body(summary: dict[str, Any]) -> str:
    stock_rows = "".join(
        f"<tr><td>{escape(s['place_code'])}</td><td>{escape(s['bill_batch_code'])}</td>"
        f"<td align='right'>{s['remaining']}</td>"
        f"<td align='right'>{s['days_left'] if s['days_left'] is not None else '-'}</td>"
        f"<td>{s['severity']}</td></tr>"
        for s in summary["low_stock"]
    )
    audit_rows = "".join(
        f"<tr><td>{a['cycle_id']}</td><td>{a['deadline']}</td><td align='right'>{a['days_left']}</td>"
        f"<td>{'已逾期 OVERDUE ' if a['days_left'] < 0 else ''}{a['severity']}</td></tr>"
        for a in summary["audit_deadlines"]
    )
    return (
        f"<p>检查日期 Check date: {summary['check_date']}</p>"
        "<h3>号段库存不足 Low stock</h3><table border='1' cellpadding='4'>"
        "<tr><th>开票点 Point</th><th>票据代码 Bill code</th><th>剩余 Remaining</th><th>可用天数 Days left</th>"
        f"<th>级别 Severity</th></tr>{stock_rows}</table>"
        "<h3>审验期限 Audit deadlines</h3><table border='1' cellpadding='4'>"
        "<tr><th>周期 Cycle</th><th>截止 Deadline</th><th>剩余天数 Days left</th>"
        f"<th>级别 Severity</th></tr>{audit_rows}</table>"
        f"<p>处理方法 What to do: {alerts.runbook_link(DAG_ID)}</p>"
    )
