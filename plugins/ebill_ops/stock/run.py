"""The stock-watch task: read the platform, assess, keep the result in ebops, mail warnings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ebill_ops import alerts, db
from ebill_ops.config import common, section
from ebill_ops.intervals import Window
from ebill_ops.stock.assess import AuditLine, StockLine, StockSettings, assess_audits, assess_stock, worst


def check(check_date: dt.date) -> tuple[list[StockLine], list[AuditLine]]:
    """Stock and audit deadlines as of ``check_date`` (the local day after the data interval)."""
    settings = section("stock", StockSettings)
    conns = common().connections
    usage_window = Window(
        dt.datetime.combine(check_date - dt.timedelta(days=settings.usage_window_days), dt.time()),
        dt.datetime.combine(check_date, dt.time()),
    )
    with db.connect(conns.ebill_db) as bill:
        remaining = bill.rows("stock/ranges", {"year2": f"{check_date.year % 100:02d}"})
        usage = bill.rows("stock/usage", usage_window.params())
        points = bill.rows("stock/points")
        cycles = bill.rows("stock/open_audits", {"check_date": check_date})
    return assess_stock(remaining, usage, points, settings), assess_audits(cycles, check_date, settings)


def save(check_date: dt.date, stock: list[StockLine], audits: list[AuditLine]) -> None:
    """Replace the day's rows in ebops (a re-run gives the same table)."""
    now = dt.datetime.now().replace(microsecond=0)
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
    """One mail per check day listing what needs a person; nothing when all is well."""
    if summary["severity"] == "ok":
        return False
    stock_rows = "".join(
        f"<tr><td>{s['place_code']}</td><td>{s['bill_batch_code']}</td><td align='right'>{s['remaining']}</td>"
        f"<td align='right'>{s['days_left'] if s['days_left'] is not None else '-'}</td><td>{s['severity']}</td></tr>"
        for s in summary["low_stock"]
    )
    audit_rows = "".join(
        f"<tr><td>{a['cycle_id']}</td><td>{a['deadline']}</td><td align='right'>{a['days_left']}</td><td>{a['severity']}</td></tr>"
        for a in summary["audit_deadlines"]
    )
    body = (
        f"<p>检查日期 Check date: {summary['check_date']}</p>"
        "<h3>号段库存不足 Low stock</h3><table border='1' cellpadding='4'>"
        "<tr><th>开票点 Point</th><th>票据代码 Bill code</th><th>剩余 Remaining</th><th>可用天数 Days left</th>"
        f"<th>级别 Severity</th></tr>{stock_rows}</table>"
        "<h3>审验期限 Audit deadlines</h3><table border='1' cellpadding='4'>"
        "<tr><th>周期 Cycle</th><th>截止 Deadline</th><th>剩余天数 Days left</th>"
        f"<th>级别 Severity</th></tr>{audit_rows}</table>"
    )
    detail = f"{len(summary['low_stock'])} low-stock, {len(summary['audit_deadlines'])} audit deadline(s)"
    kind = "critical" if summary["severity"] == "critical" else "alert"
    alerts.send_mail(alerts.subject(kind, "ebill_stock_watch", detail), body)
    return True
