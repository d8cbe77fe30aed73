"""Base data around the bills: bill codes, issuing points, stock ranges, audit cycles, users."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import numpy as np
import pandas as pd

from sandbox.generator import profile as P
from sandbox.generator.config import GeneratorConfig
from sandbox.generator.day import Counters

NORMAL_STOCK = 60_000
WARN_LEVEL = 500


def bill_codes(years: list[int]) -> pd.DataFrame:
    rows = []
    for year in years:
        for kind, name in P.KIND_NAMES.items():
            types = sorted(
                {
                    t.code
                    for t in P.BUS_TYPES
                    if (t.kind == kind) or (kind == P.KIND_PAPER and t.kind == P.KIND_OUTPATIENT)
                }
            )
            rows.append(
                (
                    P.bill_code(kind, year),
                    name,
                    year,
                    ",".join(types),
                    dt.date(year, 1, 1),
                    dt.date(year, 12, 31),
                )
            )
    return pd.DataFrame(
        rows, columns=["bill_batch_code", "bill_name", "bill_year", "bus_types", "valid_from", "valid_to"]
    )


def issuing_points() -> pd.DataFrame:
    return pd.DataFrame(
        [(p.code, p.name, True, WARN_LEVEL, 7, p.host) for p in P.POINTS],
        columns=["place_code", "place_name", "active", "stock_warn_level", "lead_time_days", "host_name"],
    )


def point_kinds(place: str) -> list[str]:
    """The e-bill kinds an issuing point issues, from the business types it serves."""
    point = next(p for p in P.POINTS if p.code == place)
    return sorted({t.kind for t in P.BUS_TYPES if t.code in point.bus_types})


def next_year_due(cfg: GeneratorConfig) -> bool:
    """Next year's codes and stock are handed down in December."""
    return cfg.end.month == 12


def stock_ranges(
    cfg: GeneratorConfig, counters: Counters, rng: np.random.Generator
) -> tuple[pd.DataFrame, list[dict[str, Any]], list[dict[str, Any]]]:
    """Ranges per (point, code) from what the generator used; some points run low on purpose."""
    year = cfg.end.year
    active_codes = sorted({key for key in counters.last_no if int(key[1][-2:]) == year % 100})
    low_points = set(
        rng.choice(sorted({p for p, _ in active_codes}), size=min(2, len(active_codes)), replace=False)
    )
    rows, low, readiness = [], [], []
    range_id = 1
    handed = dt.datetime(year, 1, 2, 9, 0)
    for (place, code), last in sorted(counters.last_no.items()):
        start = Counters.range_start(place)
        current_year = int(code[-2:]) == year % 100
        if current_year:
            remaining = WARN_LEVEL // 3 if place in low_points else NORMAL_STOCK
            end = last + remaining
            next_no = f"{last + 1:010d}"
            if remaining < WARN_LEVEL:
                low.append(
                    {
                        "place_code": place,
                        "bill_batch_code": code,
                        "remaining": remaining,
                        "warn_level": WARN_LEVEL,
                    }
                )
        else:
            end, next_no = last, None
        rows.append(
            (
                range_id,
                place,
                code,
                f"{start:010d}",
                f"{end:010d}",
                next_no,
                2,
                dt.datetime(int("20" + code[-2:]), 1, 2, 9, 0) if not current_year else handed,
            )
        )
        range_id += 1
    if next_year_due(cfg):
        nxt = year + 1
        points = [p.code for p in P.POINTS]
        missing = str(rng.choice(points))
        for place in points:
            if place == missing:
                readiness.append({"kind": "next_year_stock_missing", "place_code": place, "year": nxt})
                continue
            for kind in point_kinds(place):
                start = Counters.range_start(place)
                rows.append(
                    (
                        range_id,
                        place,
                        P.bill_code(kind, nxt),
                        f"{start:010d}",
                        f"{start + NORMAL_STOCK - 1:010d}",
                        f"{start:010d}",
                        2,
                        dt.datetime(year, 12, 1, 9, 0),
                    )
                )
                range_id += 1
    frame = pd.DataFrame(
        rows,
        columns=[
            "range_id",
            "place_code",
            "bill_batch_code",
            "start_no",
            "end_no",
            "next_no",
            "status",
            "handed_down_time",
        ],
    )
    return frame, low, readiness


def audit_cycles(cfg: GeneratorConfig) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Past audits (done) and open ones whose deadlines fall 5, 12 and 25 days after the last day."""
    rows, near = [], []
    cycle = 1
    for year in range(cfg.start.year - cfg.history_years, cfg.end.year + 1):
        deadline = dt.date(year, 3, 31)
        if deadline < cfg.end:
            rows.append(
                (
                    cycle,
                    dt.date(year - 1, 1, 1),
                    dt.date(year - 1, 12, 31),
                    deadline,
                    dt.datetime(year, 3, 20, 10),
                    1,
                )
            )
            cycle += 1
    for days_left, months in ((5, 1), (12, 2), (25, 3), (90, 6)):
        deadline = cfg.end + dt.timedelta(days=days_left)
        period_end = cfg.end.replace(day=1) - dt.timedelta(days=1)
        period_start = (period_end - dt.timedelta(days=28 * months)).replace(day=1)
        rows.append((cycle, period_start, period_end, deadline, None, None))
        if days_left <= 30:
            near.append({"cycle_id": cycle, "deadline": deadline.isoformat(), "days_left_at_end": days_left})
        cycle += 1
    frame = pd.DataFrame(
        rows, columns=["cycle_id", "period_start", "period_end", "deadline", "submitted_time", "result"]
    )
    frame["result"] = frame["result"].astype("Int64")
    return frame, near


def _hash(algo: str, salt: str, password: str) -> str:
    return hashlib.new(algo, (salt + password).encode()).hexdigest()


def app_users(cfg: GeneratorConfig, rng: np.random.Generator) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Thirty users; a few with weak passwords, locked or expired. Only salted hashes are stored."""
    rows, flagged = [], []
    points = [p.code for p in P.POINTS]
    end = dt.datetime.combine(cfg.end, dt.time(18, 0))
    # A weak admin (critical), a common weak password, and "login name + digits".
    weak_passwords = {1: "admin123", 11: "123456", 19: "cashier19123"}
    weak_ids = set(weak_passwords)
    locked_ids = {7, 23}
    expired_ids = {15}
    for i in range(1, 31):
        login = "admin" if i == 1 else f"cashier{i:02d}"
        salt = rng.bytes(8).hex()
        algo = "md5" if i in (11, 19) else "sha256"
        if i in weak_ids:
            password = weak_passwords[i]
            flagged.append({"login_name": login, "kind": "weak_password"})
        else:
            password = rng.bytes(12).hex() + "!Aa9"
        locked = i in locked_ids
        if locked:
            flagged.append({"login_name": login, "kind": "locked"})
        expires = end + dt.timedelta(days=180)
        if i in expired_ids:
            expires = end - dt.timedelta(days=3)
            flagged.append({"login_name": login, "kind": "expired"})
        rows.append(
            (
                i,
                login,
                f"用户{i:02d}",
                points[i % len(points)],
                algo,
                salt,
                _hash(algo, salt, password),
                locked,
                6 if locked else int(rng.integers(0, 2)),
                end - dt.timedelta(hours=int(rng.integers(1, 200))),
                end - dt.timedelta(days=int(rng.integers(10, 300))),
                expires,
            )
        )
    frame = pd.DataFrame(
        rows,
        columns=[
            "user_id",
            "login_name",
            "display_name",
            "place_code",
            "password_algo",
            "password_salt",
            "password_hash",
            "locked",
            "failed_logins",
            "last_login_time",
            "password_changed",
            "expires_at",
        ],
    )
    return frame, flagged
