"""Results in ``ebops``: a re-run replaces its days, and keeps what people wrote about a difference.

Everything of a window is written in one transaction: the days' rows are deleted and inserted
again, so a re-run or a backfill never duplicates. A difference that is still there keeps its
status (open / explained / resolved), who set it, when and why, and when it was first seen.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ebill_ops.db import Db
from ebill_ops.intervals import as_date
from ebill_ops.recon.finance import FinanceLine, TransitBill
from ebill_ops.recon.model import DataError, Difference
from ebill_ops.recon.totals import SummaryLine


@dataclass(frozen=True)
class DayResult:
    """The headline of one reconciled day."""

    biz_date: dt.date
    date_basis: str
    his_count: int
    his_amount: Any
    platform_count: int
    platform_amount: Any
    differences: int
    data_errors: int
    balanced: bool
    explained: bool | None
    detail_status: str
    detail_note: str | None
    stats: Mapping[str, Any]


def day_range(days: Iterable[dt.date]) -> dict[str, dt.date]:
    days = sorted(days)
    return {"first_day": days[0], "end_day": days[-1] + dt.timedelta(days=1)}


def carry_status(
    differences: Iterable[Difference], previous: Iterable[Mapping[str, Any]], now: dt.datetime
) -> list[dict[str, Any]]:
    """Rows to insert: each difference with the status people gave it before (if it is still there)."""
    known = {(as_date(p["biz_date"]), p["diff_class"], p["diff_key"]): p for p in previous}
    rows = []
    for d in differences:
        before = known.get(d.identity)
        row = d.row()
        if before is not None:
            row.update(
                status=before["status"],
                status_by=before["status_by"],
                status_at=before["status_at"],
                status_reason=before["status_reason"],
                first_seen_at=before["first_seen_at"],
            )
        else:
            row.update(status="open", status_by=None, status_at=None, status_reason=None, first_seen_at=now)
        row["computed_at"] = now
        rows.append(row)
    return rows


def save_his(
    ops: Db,
    days: list[dt.date],
    day_results: list[DayResult],
    lines: list[SummaryLine],
    differences: list[Difference],
    errors: list[DataError],
    run_id: str | None,
    now: dt.datetime,
) -> int:
    """Replace the HIS ↔ platform results of ``days``; returns how many statuses were carried over."""
    span = day_range(days)
    previous = ops.rows("recon/statuses", span)
    rows = carry_status(differences, previous, now)
    for table in ("day", "summary", "data_error", "differences"):
        ops.execute(f"recon/delete_{table}", span)
    ops.executemany(
        "recon/insert_day",
        [
            {
                "biz_date": r.biz_date,
                "date_basis": r.date_basis,
                "his_count": r.his_count,
                "his_amount": r.his_amount,
                "platform_count": r.platform_count,
                "platform_amount": r.platform_amount,
                "differences": r.differences,
                "data_errors": r.data_errors,
                "balanced": int(r.balanced),
                "explained": None if r.explained is None else int(r.explained),
                "detail_status": r.detail_status,
                "detail_note": (r.detail_note or None) and r.detail_note[:1000],
                "stats": json.dumps(r.stats, default=str)[:2000],
                "run_id": run_id,
                "computed_at": now,
            }
            for r in day_results
        ],
    )
    ops.executemany("recon/insert_summary", [{**line.row(), "computed_at": now} for line in lines])
    ops.executemany("recon/insert_difference", rows)
    ops.executemany(
        "recon/insert_data_error",
        [
            {**e.row(), "bad_value": (e.bad_value or None) and e.bad_value[:64], "computed_at": now}
            for e in errors
        ],
    )
    return sum(1 for r in rows if r["status"] != "open" or r["first_seen_at"] != now)


def save_finance(
    ops: Db,
    days: list[dt.date],
    lines: list[FinanceLine],
    transit: list[TransitBill],
    run_id: str | None,
    now: dt.datetime,
) -> None:
    span = day_range(days)
    ops.execute("recon/delete_finance", span)
    ops.execute("recon/delete_transit", span)
    ops.executemany(
        "recon/insert_finance", [{**x.row(), "run_id": run_id, "computed_at": now} for x in lines]
    )
    ops.executemany("recon/insert_transit", [{**t.row(), "computed_at": now} for t in transit])
