"""A failing bill as a row of ``ebops.quality_failure``: identity, the checked value, the details.

Values come straight from the bill platform and may be absurd (a 10-digit amount, an empty code,
a date in 1900, a huge text): everything is turned into bounded plain values here so that no
such bill can break the insert, the workbook or the mail.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ebill_ops.quality.rules import Rule

LIMITS = {"bus_no": 64, "place_code": 20, "bus_type": 4, "bill_batch_code": 40, "bill_no": 40}
OBSERVED_LIMIT = 200
DETAIL_VALUE_LIMIT = 200
DETAIL_LIMIT = 4000


def plain(value: Any) -> Any:
    """numpy / pandas scalars to Python values; NaN and NaT to None."""
    if value is None or type(value).__name__ in ("NaTType", "NAType"):
        return None
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        try:
            return value.to_pydatetime()
        except (ValueError, OverflowError):
            return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalar
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def text(value: Any, limit: int = DETAIL_VALUE_LIMIT) -> str | None:
    """A readable, bounded text form of a checked value."""
    value = plain(value)
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        out = value.isoformat(sep=" ")
    elif isinstance(value, dt.date):
        out = value.isoformat()
    elif isinstance(value, float):
        out = f"{value:.4f}".rstrip("0").rstrip(".") if math.isfinite(value) else str(value)
    elif isinstance(value, Decimal):
        out = format(value.normalize(), "f") if value.is_finite() else str(value)
    else:
        out = str(value)
    return out if len(out) <= limit else out[: limit - 1] + "…"


def _short(value: Any, limit: int) -> str | None:
    value = plain(value)
    if value is None:
        return None
    return str(value)[:limit]


def _amount(value: Any) -> Decimal | None:
    value = plain(value)
    if value is None:
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except ArithmeticError:
        return None
    return amount if abs(amount) < Decimal("1e16") else None


def _timestamp(value: Any) -> dt.datetime | None:
    value = plain(value)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    return None


def failure_record(
    rule: Rule,
    row: Mapping[str, Any],
    *,
    check_day: dt.date,
    engine: str,
    run_id: str,
    found_at: dt.datetime,
) -> dict[str, Any]:
    """The ``quality/insert_failure`` parameters for one bill failing one rule."""
    detail = {name: text(row.get(name)) for name in rule.spec.detail}
    detail_json = json.dumps(detail, ensure_ascii=False)
    if len(detail_json) > DETAIL_LIMIT:
        detail_json = json.dumps({k: (v or "")[:40] for k, v in detail.items()}, ensure_ascii=False)[
            :DETAIL_LIMIT
        ]
    return {
        "check_day": check_day,
        "rule_id": rule.id,
        "bill_id": int(plain(row["bill_id"])),
        "ivc_date_time": _timestamp(row.get("ivc_date_time")),
        "severity": rule.severity,
        **{name: _short(row.get(name), limit) for name, limit in LIMITS.items()},
        "bus_date_time": _timestamp(row.get("bus_date_time")),
        "total_amt": _amount(row.get("total_amt")),
        "observed": text(row.get(rule.column), OBSERVED_LIMIT),
        "detail": detail_json,
        "engine": engine,
        "run_id": run_id[:250],
        "found_at": found_at,
    }
