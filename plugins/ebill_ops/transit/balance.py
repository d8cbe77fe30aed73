"""After a sync: does finance hold, per issue date, what the platform says it holds?

Count of supervised bills, amount (blue minus red, by the direction flag) and archived count.
This is the quick proof a backfill worked; the reconciliation DAG does the full comparison.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class DayBalance:
    ivc_date: dt.date
    platform_count: int
    platform_amount: Decimal
    platform_archived: int
    finance_count: int
    finance_amount: Decimal
    finance_archived: int
    in_transit: int

    @property
    def balanced(self) -> bool:
        return (
            self.platform_count == self.finance_count
            and self.platform_amount == self.finance_amount
            and self.platform_archived == self.finance_archived
        )

    def row(self, checked_at: dt.datetime) -> dict[str, Any]:
        return {**asdict(self), "balanced": int(self.balanced), "checked_at": checked_at}

    def summary(self) -> dict[str, Any]:
        return {
            "date": self.ivc_date.isoformat(),
            "balanced": self.balanced,
            "platform": [self.platform_count, str(self.platform_amount), self.platform_archived],
            "finance": [self.finance_count, str(self.finance_amount), self.finance_archived],
            "in_transit": self.in_transit,
        }


def _day(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def compare(
    days: Iterable[dt.date], platform_rows: Iterable[Mapping[str, Any]], finance: Mapping[dt.date, Any]
) -> list[DayBalance]:
    """One line per day; a day with no bills on one side counts as zeros there."""
    platform = {_day(r["ivc_date"]): r for r in platform_rows}
    out = []
    for day in days:
        p = platform.get(day, {})
        f = finance[day]
        out.append(
            DayBalance(
                ivc_date=day,
                platform_count=int(p.get("platform_count") or 0),
                platform_amount=Decimal(str(p.get("platform_amount") or 0)).quantize(Decimal("0.01")),
                platform_archived=int(p.get("platform_archived") or 0),
                finance_count=int(f.count),
                finance_amount=Decimal(str(f.amount)).quantize(Decimal("0.01")),
                finance_archived=int(f.archived_count),
                in_transit=int(p.get("in_transit") or 0),
            )
        )
    return out
