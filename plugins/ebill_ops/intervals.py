"""Data intervals as the hospital's business days.

Airflow hands every task a data interval in UTC; the hospital works in local days. A daily run
covers one local day; a backfill or a manual run over several days covers each of them; a
manual run with an empty interval (start == end) means "the local day of that instant".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pendulum


@dataclass(frozen=True)
class Window:
    """A half-open local time window [start, end) as naive local datetimes (how the vendor stores time)."""

    start: dt.datetime
    end: dt.datetime

    @property
    def days(self) -> list[dt.date]:
        first = self.start.date()
        last = (self.end - dt.timedelta(microseconds=1)).date()
        return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]

    def params(self) -> dict[str, dt.datetime]:
        return {"window_start": self.start, "window_end": self.end}


def local_window(start: dt.datetime, end: dt.datetime | None, tz: str) -> Window:
    """The local window of an Airflow data interval; an empty interval widens to its local day."""
    zone = pendulum.timezone(tz)
    local_start = pendulum.instance(start).in_timezone(zone).naive()
    local_end = pendulum.instance(end).in_timezone(zone).naive() if end is not None else local_start
    if local_end <= local_start:
        day = local_start.date()
        return day_window(day)
    return Window(local_start, local_end)


def day_window(day: dt.date) -> Window:
    start = dt.datetime.combine(day, dt.time())
    return Window(start, start + dt.timedelta(days=1))


def split_days(window: Window) -> list[Window]:
    """One window per local day the window touches (clipped to the window)."""
    out = []
    for day in window.days:
        w = day_window(day)
        out.append(Window(max(w.start, window.start), min(w.end, window.end)))
    return out


def as_date(value: object) -> dt.date:
    """A date from a date, a datetime or ISO text (database drivers and XCom give all three)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def local_now(tz: str | None = None) -> dt.datetime:
    """Now as the site's naive local time in whole seconds: how the platform stores times and how
    ebops rows, reports and mails show them (the worker's own clock may be UTC)."""
    if tz is None:
        from ebill_ops.config import common

        tz = common().timezone
    return pendulum.now(tz).naive().replace(microsecond=0)


def as_naive_datetime(value: object) -> dt.datetime | None:
    """A naive datetime from a datetime, a date or ISO text; None for nothing (params, driver rows)."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    return dt.datetime.fromisoformat(str(value)).replace(tzinfo=None)


def window_from_context(
    params: dict | None,
    data_interval_start: dt.datetime | None,
    data_interval_end: dt.datetime | None,
    tz: str,
) -> Window:
    """The local window a task works on.

    Manual runs may name it with the ``start`` / ``end`` params (local dates or datetimes; ``end``
    defaults to one day after ``start``): the trigger form of every DAG. Otherwise it is the run's
    data interval in local time (an empty interval widens to its local day).
    """
    params = params or {}
    start = as_naive_datetime(params.get("start"))
    if start is not None:
        end = as_naive_datetime(params.get("end")) or start + dt.timedelta(days=1)
        if end <= start:
            raise ValueError(f"the end of the window ({end}) must be after its start ({start})")
        return Window(start, end)
    if data_interval_start is None:
        raise ValueError("no data interval and no 'start' param: nothing to work on")
    return local_window(data_interval_start, data_interval_end, tz)


def window_params(description: str = "") -> dict:
    """The ``start`` / ``end`` params of a trigger form (empty: use the data interval)."""
    from airflow.sdk import Param

    return {
        "start": Param(
            None,
            type=["null", "string"],
            format="date",
            description=f"开始日期 First local day (empty: the run's data interval). {description}".strip(),
        ),
        "end": Param(
            None,
            type=["null", "string"],
            format="date",
            description="结束日期 Day after the last day (empty: start + 1 day)",
        ),
    }
