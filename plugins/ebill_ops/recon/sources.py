"""The two sides of a reconciliation and the time bounds their queries use.

HIS and the bill platform live in different databases (often different engines), so every query
runs on one side only; a ``Side`` knows how to open its connection and which dialect it speaks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Literal

from ebill_ops import db
from ebill_ops.intervals import Window
from ebill_ops.sql import Dialect

Basis = Literal["business", "issue"]


@dataclass(frozen=True)
class Side:
    name: str  # "his" | "platform"
    connect: Callable[[], AbstractContextManager[db.Db]]
    dialect: Dialect

    @classmethod
    def from_conn_id(cls, name: str, conn_id: str) -> Side:
        """A side read through an Airflow connection, always read-only."""
        return cls(name, lambda: db.connect(conn_id, read_only=True), db.dialect_of(conn_id))


def choose_hash(setting: str, his: Side, platform: Side) -> str:
    """``native`` hashes only agree within one engine; ``md5`` agrees everywhere."""
    if setting == "auto":
        return "native" if his.dialect == platform.dialect else "md5"
    if setting == "native" and his.dialect != platform.dialect:
        raise ValueError(
            f"recon.hash is 'native' but HIS is {his.dialect} and the platform is {platform.dialect}: "
            "native hashes differ between engines; use 'md5' or 'auto'"
        )
    return setting


@dataclass(frozen=True)
class Bounds:
    """How one window bounds each side's rows.

    HIS has one time (the settlement). The platform is bounded on the basis time exactly and on
    the other time loosely (± ``skew``): it changes no result for sane data and lets Oracle prune
    the yearly partitions of the issue time.
    """

    window: Window
    basis: Basis
    skew: dt.timedelta

    def his(self) -> dict[str, Any]:
        return {"window_start": self.window.start, "window_end": self.window.end}

    def platform(self) -> dict[str, Any]:
        exact = (self.window.start, self.window.end)
        loose = (self.window.start - self.skew, self.window.end + self.skew)
        bus, ivc = (exact, loose) if self.basis == "business" else (loose, exact)
        return {"bus_lo": bus[0], "bus_hi": bus[1], "ivc_lo": ivc[0], "ivc_hi": ivc[1], "basis": self.basis}

    def shifted(self, start: dt.datetime, end: dt.datetime) -> Bounds:
        return Bounds(Window(start, end), self.basis, self.skew)

    def widened(self, by: dt.timedelta) -> dict[str, Any]:
        """Bounds of look-ups on either side: the window ± ``by`` on every time."""
        lo, hi = self.window.start - by, self.window.end + by
        return {"window_start": lo, "window_end": hi, "ivc_lo": lo - self.skew, "ivc_hi": hi + self.skew}
