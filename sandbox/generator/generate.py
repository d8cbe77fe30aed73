"""Generate a hospital's data set, load it into the sandbox, and write the ground-truth manifest."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import psycopg

from sandbox.generator import static
from sandbox.generator.anomalies import INTERFACE_INCIDENTS
from sandbox.generator.config import GeneratorConfig
from sandbox.generator.day import Counters, DayData, DayGenerator, Incident
from sandbox.generator.load import TARGETS, TRUNCATE, BackgroundLoader, copy_frame
from sandbox.generator.profile import POINTS

WEEKDAY_FACTOR = (1.0, 1.0, 1.0, 1.0, 1.0, 0.65, 0.5)
MANIFEST_VERSION = 1
FAKE_PDF = b"%PDF-1.4\n% ebill-ops sandbox layout file\n"


def bills_on(cfg: GeneratorConfig, day: dt.date) -> int:
    rng = np.random.default_rng([cfg.seed, day.toordinal(), 7])
    mean = cfg.bills_per_day * WEEKDAY_FACTOR[day.weekday()]
    return int(max(1, round(mean * rng.uniform(0.93, 1.07))))


def plan_incidents(cfg: GeneratorConfig) -> dict[dt.date, list[Incident]]:
    """Interface incidents on a few days: the last day (what the demo shows) and every third day before."""
    days = cfg.days_list()
    chosen = [days[i] for i in range(len(days) - 1, -1, -3)][: cfg.interface_incident_days]
    plan: dict[dt.date, list[Incident]] = {}
    for day in chosen:
        rng = np.random.default_rng([cfg.seed, day.toordinal(), 99])
        base = dt.datetime.combine(day, dt.time(0))
        incidents = []
        # Windows in working hours that do not overlap, one per incident kind.
        starts = sorted(rng.choice(np.arange(8 * 4, 16 * 4), size=len(INTERFACE_INCIDENTS), replace=False))
        kinds = list(INTERFACE_INCIDENTS)
        rng.shuffle(kinds)
        for kind, slot in zip(kinds, starts, strict=True):
            start = base + dt.timedelta(minutes=int(slot) * 15)
            length = dt.timedelta(minutes=int(rng.choice([30, 45])))
            if kind == "remote_down":
                interface, place = "finance_upload", None
            elif kind == "degraded":
                interface, place = "signature", None
            elif kind == "local":
                interface, place = "his_issue", str(rng.choice(["MZ01", "MZ02"]))
            else:
                interface, place = "delivery", None
            incidents.append(Incident(kind, interface, start, start + length, place))
        plan[day] = _separate(incidents)
    return plan


def _separate(incidents: list[Incident]) -> list[Incident]:
    """Shift windows so that no two incidents overlap (a cleaner ground truth)."""
    ordered = sorted(incidents, key=lambda i: i.start)
    for prev, cur in itertools.pairwise(ordered):
        if cur.start < prev.end + dt.timedelta(minutes=30):
            shift = prev.end + dt.timedelta(minutes=30) - cur.start
            cur.start, cur.end = cur.start + shift, cur.end + shift
    return ordered


@dataclass
class Totals:
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def add(self, kind: str, count: int) -> None:
        self.rows[kind] = self.rows.get(kind, 0) + count


def _write_layout_files(frame: pd.DataFrame, root: Path) -> pd.DataFrame:
    """Real (tiny) layout files for old bills, so year-end archiving has something to move."""
    sizes, digests = [], []
    for path, bill_no in zip(frame["file_path"], frame["bill_no"], strict=True):
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        content = FAKE_PDF + f"bill {bill_no}\n".encode() + bytes(range(256)) * 4
        target.write_bytes(content)
        sizes.append(len(content))
        digests.append(hashlib.sha256(content).hexdigest())
    frame = frame.copy()
    frame["size_bytes"] = sizes
    frame["sha256"] = digests
    return frame


def generate(
    cfg: GeneratorConfig,
    connect: Callable[[str], psycopg.Connection],
    manifest_path: Path,
    layout_root: Path | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Truncate the sandbox data, generate every day in order, COPY it in, write the manifest.

    ``connect(database)`` opens an autocommit superuser connection to "bill", "his" or "finance".
    """
    started = time.perf_counter()
    conns = {db: connect(db) for db in ("bill", "his", "finance")}
    try:
        for db, statement in TRUNCATE.items():
            conns[db].execute(statement)
        counters = Counters()
        incidents = plan_incidents(cfg)
        manifest: dict[str, Any] = {
            "version": MANIFEST_VERSION,
            "generator": json.loads(cfg.model_dump_json()),
            "recon": [],
            "spec": [],
            "his_data_error": [],
            "transit": [],
            "interface": [],
        }
        totals = Totals()
        schedule = [(d, cfg.history_bills_per_month, False) for d in cfg.history_days()]
        schedule += [(d, bills_on(cfg, d), True) for d in cfg.days_list()]
        loader = BackgroundLoader()
        try:
            for index, (day, n, inject) in enumerate(schedule):
                data = DayGenerator(cfg, day, n, counters, incidents.get(day, []), inject=inject).generate()
                if not inject and layout_root is not None and data.layout is not None and cfg.layout_files:
                    data.layout = _write_layout_files(data.layout, layout_root)
                loader.submit(lambda data=data: _load_day(conns, data, totals))
                for section, entries in data.manifest.items():
                    manifest.setdefault(section, []).extend(entries)
                if inject:
                    progress(f"{day} {len(data.bills):>7} bills ({index + 1}/{len(schedule)})")
        finally:
            loader.close()
        years = sorted(
            {d.year for d, _, _ in schedule} | ({cfg.end.year + 1} if static.next_year_due(cfg) else set())
        )
        rng = np.random.default_rng([cfg.seed, 4242])
        ranges, low, readiness = static.stock_ranges(cfg, counters, rng)
        audits, near = static.audit_cycles(cfg)
        users, flagged = static.app_users(cfg, rng)
        for kind, frame in (
            ("codes", static.bill_codes(years)),
            ("points", static.issuing_points()),
            ("ranges", ranges),
            ("audits", audits),
            ("users", users),
        ):
            totals.add(kind, copy_frame(conns[TARGETS[kind][0]], TARGETS[kind][1], frame))
        manifest.update({"stock_low": low, "audit_deadline": near, "users": flagged, "readiness": readiness})
        manifest["points"] = [p.code for p in POINTS]
        manifest["years"] = years
        manifest["rows"] = totals.rows
        manifest["counts"] = _counts(manifest)
        totals.seconds = time.perf_counter() - started
        manifest["seconds"] = round(totals.seconds, 1)
        manifest_path.parent.mkdir(parents=True, exist_ok=True)
        manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1, default=str))
        return manifest
    finally:
        for conn in conns.values():
            conn.close()


def _load_day(conns: dict[str, psycopg.Connection], data: DayData, totals: Totals) -> None:
    for kind in ("bills", "items", "payments", "calls", "layout", "settlements", "finance"):
        frame = getattr(data, kind)
        if frame is not None:
            database, table = TARGETS[kind]
            totals.add(kind, copy_frame(conns[database], table, frame))


def _counts(manifest: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Number of manifest entries per section and class, for the README and quick checks."""
    keys = {
        "recon": "class",
        "spec": "rule",
        "his_data_error": "kind",
        "transit": "kind",
        "interface": "kind",
        "users": "kind",
        "readiness": "kind",
    }
    counts: dict[str, dict[str, int]] = {}
    for section, key in keys.items():
        for entry in manifest.get(section, []):
            counts.setdefault(section, {}).setdefault(entry[key], 0)
            counts[section][entry[key]] += 1
    counts["stock_low"] = {"points": len(manifest.get("stock_low", []))}
    counts["audit_deadline"] = {"cycles": len(manifest.get("audit_deadline", []))}
    return counts
