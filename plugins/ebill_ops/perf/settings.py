"""Settings of the performance advisor (section ``perf`` of the settings file).

The defaults are deliberately conservative: the advisor lists what is worth a DBA's look and
never changes anything. Sizes and row counts are thresholds below which a table is too small
for its statistics, bloat or scans to matter.
"""

from __future__ import annotations

from pydantic import Field

from ebill_ops.config import Strict


class TopSqlSettings(Strict):
    top_n: int = Field(20, ge=1, le=200)  # statements listed in the report
    fetch_n: int = Field(200, ge=1, le=5000)  # statements read per run (a larger pool for weekly deltas)
    # A statement is worth a look (warning) above either of these over the week.
    warn_share_pct: float = Field(20.0, gt=0, le=100)  # share of the database's SQL time
    warn_mean_ms: float = Field(1000.0, gt=0)  # mean time per call
    min_calls: int = Field(1, ge=1)
    # Sorts or hashes spilling to disk, per call (PostgreSQL temp blocks; Oracle direct writes).
    spill_blocks_per_call: float = Field(100.0, ge=0)


class StatsSettings(Strict):
    # Stale: rows changed since the last analyze are at least this share of the table...
    stale_pct: float = Field(10.0, gt=0)
    # ...and at least this many rows (small tables re-plan cheaply whatever their statistics).
    min_changed_rows: int = Field(1000, ge=0)
    # A partitioned table's own statistics (PostgreSQL: autovacuum never analyzes the parent)
    # older than its newest partition's by this many days.
    parent_lag_days: int = Field(7, ge=0)


class BloatSettings(Strict):
    min_mb: float = Field(64.0, ge=0)  # tables smaller than this are not judged
    warn_pct: float = Field(30.0, gt=0, lt=100)  # estimated wasted share of the table
    critical_pct: float = Field(60.0, gt=0, lt=100)
    dead_rows_pct: float = Field(20.0, gt=0, lt=100)  # PostgreSQL: dead rows waiting for vacuum


class IndexSettings(Strict):
    unused_min_mb: float = Field(10.0, ge=0)  # unused indexes smaller than this are not listed
    big_table_rows: int = Field(100_000, ge=0)  # "big" for the sequential-scan hint
    min_seq_scans: int = Field(50, ge=1)
    # PostgreSQL: average rows read per sequential scan as a share of the table's rows.
    seq_read_share: float = Field(0.5, gt=0, le=1)


class InterfaceSettings(Strict):
    # Slots of the slow-window search; a slot is slow when its p95 of successful calls is above
    # the interface's p95 threshold (the interface monitor's, section monitor.interfaces).
    slot_minutes: int = Field(15, ge=1, le=120)
    min_calls: int = Field(5, ge=1)  # p95 of fewer calls is noise
    max_windows: int = Field(50, ge=1)  # slow windows listed per interface


class PerfSettings(Strict):
    # Databases to advise on (Airflow connection ids; empty: common.connections.ebill_db).
    conn_ids: list[str] = Field(default_factory=list)
    # Schemas (Oracle: owners) of the bill platform whose tables and indexes are judged.
    schemas: list[str] = Field(default_factory=lambda: ["ebill"])
    # A run for a week that ended more than this many days ago (a backfill) re-evaluates only the
    # interface log: the database views show the database now, not then.
    live_days: int = Field(8, ge=1)
    top_sql: TopSqlSettings = Field(default_factory=TopSqlSettings)
    stats: StatsSettings = Field(default_factory=StatsSettings)
    bloat: BloatSettings = Field(default_factory=BloatSettings)
    index: IndexSettings = Field(default_factory=IndexSettings)
    interface: InterfaceSettings = Field(default_factory=InterfaceSettings)


def perf_settings() -> PerfSettings:
    from ebill_ops.config import section

    return section("perf", PerfSettings)


def conn_ids(settings: PerfSettings | None = None) -> list[str]:
    """The databases to advise on (``perf.conn_ids``, else ``common.connections.ebill_db``)."""
    from ebill_ops.config import common

    settings = settings or perf_settings()
    return list(settings.conn_ids) or [common().connections.ebill_db]
