"""Direct-SQL helpers on the finance simulator's state, for the generator, the CLI and tests.

They work whether or not the simulator runs. ``set_faults`` / ``clear_faults`` write the fault row
and then ask a running simulator to reload it (``POST /admin/faults/reload``), so the change is
effective when they return; without a running simulator the row is simply read at its start.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import httpx
import psycopg
from psycopg.rows import dict_row

from sandbox.finance import faults as fault_sql
from sandbox.finance.faults import SHANGHAI, Faults
from sandbox.finance.store import STATS_SQL
from sandbox.settings import SandboxSettings

Key = tuple[str, str]


def connect(settings: SandboxSettings) -> psycopg.Connection[dict[str, Any]]:
    """An autocommit connection as the simulator's own role (``finsim``)."""
    return psycopg.connect(
        settings.dsn("finance", "finsim"),
        autocommit=True,
        row_factory=dict_row,
        options="-c TimeZone=Asia/Shanghai",
    )


def _reload(settings: SandboxSettings) -> None:
    url = f"http://{settings.host}:{settings.port('finance')}/admin/faults/reload"
    with contextlib.suppress(httpx.TransportError):  # not running: it reads the row when it starts
        httpx.post(url, timeout=5.0)


def get_faults(settings: SandboxSettings) -> Faults:
    with connect(settings) as conn:
        conn.execute(fault_sql.ENSURE_SQL)
        return Faults.from_row(conn.execute(fault_sql.SELECT_SQL).fetchone())


def _write(settings: SandboxSettings, changes: Mapping[str, Any] | None, reload: bool) -> Faults:
    with connect(settings) as conn, conn.transaction():
        conn.execute(fault_sql.ENSURE_SQL)
        current = Faults.from_row(conn.execute(fault_sql.LOCK_SQL).fetchone())
        wanted = Faults() if changes is None else current.merged(changes)
        row = conn.execute(fault_sql.UPDATE_SQL, wanted.params()).fetchone()
    if reload:
        _reload(settings)
    return Faults.from_row(row)


def set_faults(settings: SandboxSettings, *, reload: bool = True, **changes: Any) -> Faults:
    """Change some of outage_start, outage_end, error_rate, error_code, added_latency_ms."""
    return _write(settings, changes, reload)


def clear_faults(settings: SandboxSettings, *, reload: bool = True) -> Faults:
    return _write(settings, None, reload)


def start_outage(
    settings: SandboxSettings, duration: timedelta = timedelta(hours=1), *, reload: bool = True
) -> Faults:
    """An outage from now for ``duration``."""
    now = datetime.now(SHANGHAI)
    return set_faults(
        settings, outage_start=now - timedelta(seconds=1), outage_end=now + duration, reload=reload
    )


def end_outage(settings: SandboxSettings, *, reload: bool = True) -> Faults:
    return set_faults(settings, outage_start=None, outage_end=None, reload=reload)


def stats(settings: SandboxSettings) -> dict[str, Any]:
    """Bill, upload-event and request counters (the same document as ``GET /admin/stats``)."""
    with connect(settings) as conn:
        row = conn.execute(STATS_SQL).fetchone()
    assert row is not None
    return row["stats"]


def _keys(keys: Iterable[Sequence[str]]) -> list[Key]:
    return [(str(k[0]), str(k[1])) for k in keys]


def bills(settings: SandboxSettings, keys: Iterable[Sequence[str]]) -> dict[Key, dict[str, Any]]:
    """The held rows of these bills (absent keys are missing from the result)."""
    wanted = _keys(keys)
    with connect(settings) as conn:
        rows = conn.execute(
            "SELECT * FROM finsim.bill WHERE (bill_batch_code, bill_no) IN "
            "(SELECT * FROM unnest(%s::text[], %s::text[]))",
            ([k[0] for k in wanted], [k[1] for k in wanted]),
        ).fetchall()
    return {(r["bill_batch_code"], r["bill_no"]): r for r in rows}


def upload_counts(settings: SandboxSettings, keys: Iterable[Sequence[str]]) -> dict[Key, int]:
    """``upload_count`` per bill (0 when finance does not hold it): 1 means received exactly once."""
    wanted = _keys(keys)
    held = bills(settings, wanted)
    return {k: int(held[k]["upload_count"]) if k in held else 0 for k in wanted}


def upload_events(settings: SandboxSettings, keys: Iterable[Sequence[str]]) -> dict[Key, list[str]]:
    """The outcomes of every upload of these bills, oldest first."""
    wanted = _keys(keys)
    result: dict[Key, list[str]] = {k: [] for k in wanted}
    with connect(settings) as conn:
        rows = conn.execute(
            "SELECT bill_batch_code, bill_no, outcome FROM finsim.upload_event WHERE (bill_batch_code, bill_no) IN "
            "(SELECT * FROM unnest(%s::text[], %s::text[])) ORDER BY event_id",
            ([k[0] for k in wanted], [k[1] for k in wanted]),
        ).fetchall()
    for row in rows:
        result[(row["bill_batch_code"], row["bill_no"])].append(row["outcome"])
    return result


def reset(settings: SandboxSettings, *, reload: bool = True) -> None:
    """Empty the simulator's state (bills, logs, noises) and clear the faults."""
    with connect(settings) as conn:
        conn.execute("TRUNCATE finsim.bill, finsim.request_log, finsim.upload_event, finsim.seen_noise")
    clear_faults(settings, reload=reload)
