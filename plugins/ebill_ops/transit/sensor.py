"""Wait until the run's window is older than the allowed lag, without holding a worker slot.

The standard TimeDeltaSensor counts from the data interval's end; ours counts from the end of the
window the run works on, so a manual run over a past window (``start``/``end`` params) and every
backfill run go straight through, while the scheduled run of 10:00–11:00 waits until 11:30.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pendulum
from airflow.providers.standard.sensors.time_delta import TimeDeltaSensor

from ebill_ops.config import common
from ebill_ops.intervals import window_from_context


class WaitForWindowLag(TimeDeltaSensor):
    """Deferrable: succeeds at once when ``window end + delta`` is past, else defers to a timer."""

    def _derive_base_time(self, context: Any) -> dt.datetime:
        tz = common().timezone
        window = window_from_context(
            context.get("params"), context.get("data_interval_start"), context.get("data_interval_end"), tz
        )
        end = window.end  # naive local time (a pendulum DateTime ignores tz= in instance())
        return pendulum.instance(dt.datetime(*end.timetuple()[:6], tzinfo=ZoneInfo(tz)))
