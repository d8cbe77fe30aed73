"""The site's local time, naive (as the vendor stores time and as our ebops rows carry it)."""

from __future__ import annotations

import datetime as dt

import pendulum

from ebill_ops.config import common


def local_now() -> dt.datetime:
    return pendulum.now(common().timezone).naive().replace(microsecond=0)
