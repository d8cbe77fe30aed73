"""Pure assessment of stock and audit deadlines; no database, easy to test."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

from pydantic import Field, field_validator

from ebill_ops.config import Strict
from ebill_ops.intervals import as_date

Severity = Literal["ok", "warning", "critical"]
SEVERITY_ORDER = {"ok": 0, "warning": 1, "critical": 2}


class StockSettings(Strict):
    usage_window_days: int = 30  # days of issuing used for the consumption rate
    warn_multiple_of_lead_time: float = 2.0  # warn when days left < lead time x this
    audit_warn_days: list[int] = Field(default_factory=lambda: [30, 15, 7])  # 30 / 15 / 7 days before

    @field_validator("audit_warn_days")
    @classmethod
    def _some_positive_days(cls, days: list[int]) -> list[int]:
        if not days or min(days) < 1:
            raise ValueError(
                f"stock.audit_warn_days must list at least one day count >= 1 (e.g. [30, 15, 7]), got {days}"
            )
        return days


@dataclass(frozen=True)
class StockLine:
    place_code: str
    bill_batch_code: str
    remaining: int
    used_per_day: float
    days_left: float | None
    warn_level: int
    lead_time_days: int
    severity: Severity
    advice: str

    def row(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class AuditLine:
    cycle_id: int
    period_start: dt.date
    period_end: dt.date
    deadline: dt.date
    days_left: int
    severity: Severity

    def row(self) -> dict[str, Any]:
        return asdict(self)


def _kind(bill_batch_code: str) -> str:
    """Region + class + kind: the first six digits of a bill code, the same every year."""
    return bill_batch_code[:6]


def assess_stock(
    remaining: Iterable[Mapping[str, Any]],
    usage: Iterable[Mapping[str, Any]],
    points: Iterable[Mapping[str, Any]],
    settings: StockSettings,
    year2: str | None = None,
) -> list[StockLine]:
    """Days of stock left at the recent rate, against the point's warning level and lead time.

    The rate is per bill kind, not per code: in January the window still holds last year's code of
    the same kind. With ``year2`` (the year's two digits), an active point that issued a kind in the
    window but holds no stock of that kind for the year is reported with nothing left.
    """
    used: dict[tuple[str, str], int] = {}
    for u in usage:
        key = (u["place_code"], _kind(u["bill_batch_code"]))
        used[key] = used.get(key, 0) + int(u["used"] or 0)
    point_info = {p["place_code"]: p for p in points}
    remaining = list(remaining)
    if year2 is not None:
        held = {(r["place_code"], _kind(r["bill_batch_code"])) for r in remaining}
        remaining += [
            {"place_code": place, "bill_batch_code": f"{kind}{year2}", "remaining": 0}
            for place, kind in sorted(set(used) - held)
            if point_info.get(place, {}).get("active", True) and place in point_info
        ]
    lines = []
    for r in remaining:
        point = point_info.get(r["place_code"], {})
        warn = int(point.get("stock_warn_level") or 0)
        lead = int(point.get("lead_time_days") or 0)
        left = int(r["remaining"] or 0)
        per_day = used.get((r["place_code"], _kind(r["bill_batch_code"])), 0) / max(
            settings.usage_window_days, 1
        )
        days_left = round(left / per_day, 1) if per_day > 0 else None
        if left == 0 or (days_left is not None and days_left < lead):
            severity: Severity = "critical"
            advice = "立即申领号段 request a new number range now: stock runs out before new stock can arrive"
        elif left < warn or (
            days_left is not None and days_left < lead * settings.warn_multiple_of_lead_time
        ):
            severity = "warning"
            advice = "申领号段 request a new number range: stock is below the warning level"
        else:
            severity = "ok"
            advice = "库存充足 stock sufficient"
        lines.append(
            StockLine(
                r["place_code"],
                r["bill_batch_code"],
                left,
                round(per_day, 2),
                days_left,
                warn,
                lead,
                severity,
                advice,
            )
        )
    return sorted(lines, key=lambda x: (-SEVERITY_ORDER[x.severity], x.place_code, x.bill_batch_code))


def assess_audits(
    cycles: Iterable[Mapping[str, Any]], check_date: dt.date, settings: StockSettings
) -> list[AuditLine]:
    """Open audit cycles with their days left; warn at 30 / 15 / 7 days (critical inside the last
    step, and once the deadline has passed: days left is then negative)."""
    steps = sorted(settings.audit_warn_days)
    lines = []
    for c in cycles:
        deadline = as_date(c["deadline"])
        days_left = (deadline - check_date).days
        if days_left <= steps[0]:  # overdue (negative) included: an overdue audit blocks issuing
            severity: Severity = "critical"
        elif days_left <= steps[-1]:
            severity = "warning"
        else:
            severity = "ok"
        lines.append(
            AuditLine(
                int(c["cycle_id"]),
                as_date(c["period_start"]),
                as_date(c["period_end"]),
                deadline,
                days_left,
                severity,
            )
        )
    return lines


def worst(severities: Iterable[str]) -> Severity:
    return max(severities, key=SEVERITY_ORDER.__getitem__, default="ok")  # type: ignore[return-value]
