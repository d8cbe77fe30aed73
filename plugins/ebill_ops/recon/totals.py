"""Totals first (先总后细): count and amount per day and dimension on both sides, side by side.

Each side computes its own totals in one GROUP BY GROUPING SETS scan (business type, payment
channel, voucher type, direction, issuing point and the day's total). The detail pass adds, per
line, how much of the gap the listed differences account for: ``explained`` says whether the
differences found add up to exactly the totals' gap — a check of the detail against the totals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from ebill_ops.intervals import as_date
from ebill_ops.recon.model import DIMENSIONS, yuan
from ebill_ops.recon.sources import Side

DIM_ORDER = {name: i for i, name in enumerate(DIMENSIONS)}


@dataclass(frozen=True)
class SideTotal:
    biz_date: dt.date
    dimension: str
    dim_value: str
    count: int
    cents: int
    bad_amounts: int


@dataclass(frozen=True)
class SummaryLine:
    biz_date: dt.date
    dimension: str
    dim_value: str
    his_count: int
    his_amount: Decimal
    his_bad_amounts: int
    platform_count: int
    platform_amount: Decimal
    diff_count: int
    diff_amount: Decimal
    detail_count: int | None
    detail_amount: Decimal | None
    balanced: bool
    explained: bool | None

    def row(self) -> dict[str, Any]:
        out = asdict(self)
        out["balanced"] = int(self.balanced)
        out["explained"] = None if self.explained is None else int(self.explained)
        return out


def fetch_totals(side: Side, query: str, params: Mapping[str, Any]) -> list[SideTotal]:
    with side.connect() as conn:
        rows = conn.rows(query, params)
    return [
        SideTotal(
            as_date(r["biz_date"]),
            str(r["dimension"]),
            str(r["dim_value"]),
            int(r["n"]),
            int(r["cents"]),
            int(r["bad_amounts"] or 0),
        )
        for r in rows
    ]


def compare_totals(
    his: Iterable[SideTotal],
    platform: Iterable[SideTotal],
    days: Iterable[dt.date],
    contributions: Mapping[tuple[dt.date, str, str], list[int]] | None = None,
    detail_days: set[dt.date] | None = None,
) -> list[SummaryLine]:
    """Side-by-side lines for every (day, dimension, value) either side has; a day without rows
    still gets its 'total' line. ``contributions`` (HIS minus platform, from the detail pass)
    fill ``detail_*`` and ``explained`` for the days in ``detail_days``."""
    days = list(days)
    in_window = set(days)
    his_map = {(t.biz_date, t.dimension, t.dim_value): t for t in his if t.biz_date in in_window}
    plat_map = {(t.biz_date, t.dimension, t.dim_value): t for t in platform if t.biz_date in in_window}
    keys = set(his_map) | set(plat_map) | {(d, "total", "*") for d in days}
    detail_days = set(days) if detail_days is None else detail_days
    lines = []
    for key in sorted(keys, key=lambda k: (k[0], DIM_ORDER.get(k[1], 99), k[2])):
        h, p = his_map.get(key), plat_map.get(key)
        hc, hcents = (h.count, h.cents) if h else (0, 0)
        pc, pcents = (p.count, p.cents) if p else (0, 0)
        diff_count, diff_cents = hc - pc, hcents - pcents
        if contributions is not None and key[0] in detail_days:
            detail_count, detail_cents = contributions.get(key, [0, 0])
            explained: bool | None = (detail_count, detail_cents) == (diff_count, diff_cents)
            detail_amount: Decimal | None = yuan(detail_cents)
        else:
            detail_count, detail_amount, explained = None, None, None
        lines.append(
            SummaryLine(
                biz_date=key[0],
                dimension=key[1],
                dim_value=key[2],
                his_count=hc,
                his_amount=yuan(hcents),
                his_bad_amounts=h.bad_amounts if h else 0,
                platform_count=pc,
                platform_amount=yuan(pcents),
                diff_count=diff_count,
                diff_amount=yuan(diff_cents),
                detail_count=detail_count,
                detail_amount=detail_amount,
                balanced=diff_count == 0 and diff_cents == 0 and (h.bad_amounts if h else 0) == 0,
                explained=explained,
            )
        )
    return lines


def unbalanced_days(lines: Iterable[SummaryLine]) -> set[dt.date]:
    return {line.biz_date for line in lines if not line.balanced}


def day_totals(lines: Iterable[SummaryLine]) -> dict[dt.date, SummaryLine]:
    return {line.biz_date: line for line in lines if line.dimension == "total"}
