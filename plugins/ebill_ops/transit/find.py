"""Which bills of a window are in transit (在途) on the bill platform."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from ebill_ops.db import Db
from ebill_ops.intervals import Window


def judged_window(window: Window, now: dt.datetime, allowed_lag: dt.timedelta) -> Window | None:
    """The part of ``window`` whose bills are past the allowed lag at ``now`` (None: nothing yet)."""
    end = min(window.end, now - allowed_lag)
    return Window(window.start, end) if end > window.start else None


def in_transit(bill_db: Db, window: Window) -> list[dict[str, Any]]:
    """Signed bills of the window not yet supervised, or supervised but not archived."""
    return bill_db.rows("transit/find_in_transit", window.params())


def stage_counts(rows: list[dict[str, Any]]) -> dict[str, int]:
    return dict(Counter(r["stage"] for r in rows))
