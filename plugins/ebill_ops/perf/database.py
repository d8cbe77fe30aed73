"""The database half of the advisor: run each view's query, assess its rows, and turn a view the
account cannot read into a finding that names the grant it needs — never a crash."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ebill_ops.db import Db
from ebill_ops.perf import tables, topsql
from ebill_ops.perf.findings import Finding, check_finding, unavailable
from ebill_ops.perf.settings import PerfSettings

log = logging.getLogger(__name__)

# What an account needs to read each check's views, per dialect.
HINTS: dict[str, dict[str, str]] = {
    "top_sql": {
        "postgresql": "需要 pg_stat_statements 扩展（shared_preload_libraries + CREATE EXTENSION）及 pg_monitor 角色。"
        " Needs the pg_stat_statements extension (shared_preload_libraries, CREATE EXTENSION) and pg_monitor.",
        "oracle": "需要 SELECT ON V_$SQLSTATS（或 SELECT_CATALOG_ROLE）。 Needs SELECT on V_$SQLSTATS (or SELECT_CATALOG_ROLE).",
    },
    "tables": {
        "postgresql": "需要 pg_monitor 角色及对表的 SELECT 权限（pg_stats 只显示可读的表）。"
        " Needs pg_monitor and SELECT on the tables (pg_stats shows readable tables only).",
        "oracle": "需要 SELECT_CATALOG_ROLE（DBA_TAB_STATISTICS、DBA_TABLES、DBA_INDEXES、DBA_INDEX_USAGE、DBA_SEGMENTS、"
        "V$SEGMENT_STATISTICS）。 Needs SELECT_CATALOG_ROLE (the DBA_* and V$SEGMENT_STATISTICS views).",
    },
}


@dataclass(frozen=True)
class TableCheck:
    name: str
    query: str
    assess: Callable[[list[Mapping[str, Any]], PerfSettings, str, str], list[Finding]]
    unit: str


TABLE_CHECKS: tuple[TableCheck, ...] = (
    TableCheck(
        "stale_stats",
        "perf/stale_stats",
        lambda rows, s, dialect, since: tables.stale_stats(rows, s.stats, dialect),
        "tables",
    ),
    TableCheck(
        "bloat",
        "perf/table_bloat",
        lambda rows, s, dialect, since: tables.bloat(rows, s.bloat, dialect),
        "tables",
    ),
    TableCheck(
        "unused_index",
        "perf/index_usage",
        lambda rows, s, dialect, since: tables.unused_indexes(rows, s.index, dialect, since=since),
        "indexes",
    ),
    TableCheck(
        "seq_scan",
        "perf/table_scans",
        lambda rows, s, dialect, since: tables.seq_scans(rows, s.index, dialect, since=since),
        "tables",
    ),
)


def _schema(name: str, dialect: str) -> str:
    return name.upper() if dialect == "oracle" else name


UNKNOWN_SINCE = "the last statistics reset 上次统计重置"


def reading_since(db: Db, query: str) -> dt.datetime | None:
    """Since when a set of cumulative counters counts (naive local time; None if unreadable)."""
    try:
        row = db.one(query)
    except Exception as exc:
        db.rollback_quietly()
        log.info("%s not readable: %s", query, type(exc).__name__)
        return None
    return tables.naive_local(row.get("since")) if row else None


def since_text(since: dt.datetime | None) -> str:
    return UNKNOWN_SINCE if since is None else f"{since:%Y-%m-%d %H:%M}"


def baseline_taken_at(previous: Mapping[str, Mapping[str, Any]]) -> dt.datetime | None:
    """When last week's snapshot was read (the oldest reading of it, to be safe)."""
    taken = [tables.naive_local(r.get("taken_at")) for r in previous.values() if r.get("taken_at")]
    return min((t for t in taken if t is not None), default=None)


def top_sql(
    db: Db,
    settings: PerfSettings,
    previous: Mapping[str, Mapping[str, Any]],
    since: str,
    *,
    reset_at: dt.datetime | None = None,
) -> tuple[list[Finding], list[dict[str, Any]]]:
    """Top SQL findings and the snapshot to keep; an unreadable view is one warning finding.

    ``reset_at``: when the statement statistics last started counting. A snapshot read before
    that is no baseline (its counters were wiped), so every statement then counts whole.
    """
    taken_at = baseline_taken_at(previous)
    if reset_at is not None and taken_at is not None and taken_at < reset_at:
        previous = {}
    try:
        rows = db.rows("perf/top_sql", {"fetch_n": settings.top_sql.fetch_n})
    except Exception as exc:
        db.rollback_quietly()
        log.warning("top SQL not readable: %s", type(exc).__name__)
        return [unavailable("top_sql", exc, HINTS["top_sql"][db.dialect])], []
    visible = [r for r in rows if r.get("sql_id") is not None and r.get("sql_text") != topsql.HIDDEN]
    hidden = len(rows) - len(visible)
    statements = topsql.weekly(visible, previous)
    found = topsql.assess(statements, settings.top_sql, db.dialect, since=since)
    findings = [
        *found,
        check_finding(
            "top_sql",
            examined=len(rows),
            found=sum(f.needs_attention for f in found),
            unit="statements",
            detail=f"{len(rows)} statements read, {len(statements)} ran this week; baseline: "
            + (
                f"the snapshot read {since_text(taken_at)}"
                if previous
                else f"none (cumulative since {since})"
            ),
        ),
    ]
    if hidden:
        findings.append(
            Finding(
                "check",
                "top_sql:visibility",
                "warning",
                float(hidden),
                "statements",
                "all visible",
                f"{hidden} 条其他账户的语句不可见 statements of other accounts are hidden from this account",
                HINTS["top_sql"][db.dialect],
            )
        )
    return findings, topsql.snapshot_rows(visible)


def table_checks(db: Db, settings: PerfSettings, since: str) -> list[Finding]:
    findings: list[Finding] = []
    for check in TABLE_CHECKS:
        rows: list[Mapping[str, Any]] = []
        try:
            for schema in settings.schemas:
                rows += db.rows(check.query, {"schema_name": _schema(schema, db.dialect)})
        except Exception as exc:
            db.rollback_quietly()
            log.warning("advisor check %s not readable: %s", check.name, type(exc).__name__)
            findings.append(unavailable(check.name, exc, HINTS["tables"][db.dialect]))
            continue
        found = check.assess(rows, settings, db.dialect, since)
        findings += found
        findings.append(check_finding(check.name, examined=len(rows), found=len(found), unit=check.unit))
    return findings


def check_database(
    db: Db, settings: PerfSettings, previous: Mapping[str, Mapping[str, Any]]
) -> tuple[list[Finding], list[dict[str, Any]]]:
    """Every database check on an open read-only connection: findings and the top-SQL snapshot.

    Statement statistics and table/index counters are reset apart (PostgreSQL:
    ``pg_stat_statements_reset()`` vs ``pg_stat_reset()``), so each finding names its own "since".
    """
    sql_since = reading_since(db, "perf/stats_since")
    findings, snapshot = top_sql(db, settings, previous, since_text(sql_since), reset_at=sql_since)
    findings += table_checks(db, settings, since_text(reading_since(db, "perf/counters_since")))
    return findings, snapshot
