"""Fault injection settings of the finance simulator (the one row of ``finsim.fault``).

Shared by the HTTP admin endpoints and the direct-SQL helpers in ``state.py``, so both validate
and merge changes the same way.

- **outage**: while ``outage_start <= now < outage_end`` (a missing bound is open) the service
  endpoints answer HTTP 503 at once, like a front-end machine that is down. Both null: no outage.
  Naive datetimes are read as Asia/Shanghai local time.
- **error_rate** r in [0, 1]: counting the correctly signed, non-replayed requests to known services
  since the row last changed (or since the simulator started) as n = 1, 2, ..., request n is answered
  with ``error_code`` when floor(n·r) > floor((n-1)·r). Deterministic and evenly spread: r = 1 fails
  all, r = 0.5 every 2nd (the 1st succeeds), r = 0.25 every 4th, r = 0.3 three in each ten.
- **added_latency_ms**: every service request sleeps this long (asynchronously) before it is processed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SHANGHAI = ZoneInfo("Asia/Shanghai")
COLUMNS = ("outage_start", "outage_end", "error_rate", "error_code", "added_latency_ms")
SELECT_SQL = f"SELECT {', '.join(COLUMNS)}, updated_at FROM finsim.fault WHERE id = 1"
ENSURE_SQL = "INSERT INTO finsim.fault (id) VALUES (1) ON CONFLICT (id) DO NOTHING"
LOCK_SQL = SELECT_SQL + " FOR UPDATE"
UPDATE_SQL = (
    "UPDATE finsim.fault SET "
    + ", ".join(f"{c} = %({c})s" for c in COLUMNS)
    + f" WHERE id = 1 RETURNING {', '.join(COLUMNS)}, updated_at"
)


class Faults(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    outage_start: datetime | None = None
    outage_end: datetime | None = None
    error_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    error_code: str = Field(default="E0500", pattern=r"^E\d{4}$")
    added_latency_ms: int = Field(default=0, ge=0, le=600_000)
    updated_at: datetime | None = None

    @field_validator("outage_start", "outage_end", "updated_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=SHANGHAI)
        return value

    @model_validator(mode="after")
    def _window(self) -> Faults:
        if self.outage_start and self.outage_end and self.outage_end <= self.outage_start:
            raise ValueError("outage_end must be after outage_start")
        return self

    @classmethod
    def from_row(cls, row: Mapping[str, Any] | None) -> Faults:
        return cls() if row is None else cls.model_validate(dict(row))

    def outage_active(self, now: datetime) -> bool:
        if self.outage_start is None and self.outage_end is None:
            return False
        after_start = self.outage_start is None or now >= self.outage_start
        before_end = self.outage_end is None or now < self.outage_end
        return after_start and before_end

    def fails(self, n: int) -> bool:
        """Whether the n-th signed request (1-based) since the last change gets ``error_code``."""
        if self.error_rate <= 0 or n < 1:
            return False
        return math.floor(n * self.error_rate + 1e-9) > math.floor((n - 1) * self.error_rate + 1e-9)

    def merged(self, changes: Mapping[str, Any]) -> Faults:
        """A validated copy with ``changes`` applied (keys not given keep their value)."""
        unknown = set(changes) - set(COLUMNS)
        if unknown:
            raise ValueError(f"unknown fault fields: {', '.join(sorted(unknown))}")
        data = self.model_dump(include=set(COLUMNS))
        data.update(changes)
        return Faults.model_validate(data)

    def params(self) -> dict[str, Any]:
        return self.model_dump(include=set(COLUMNS))

    def to_json(self, now: datetime | None = None) -> dict[str, Any]:
        data = self.model_dump(mode="json")
        data["outage_active"] = self.outage_active(now or datetime.now(SHANGHAI))
        return data
