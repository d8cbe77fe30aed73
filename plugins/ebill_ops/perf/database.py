"""The database half of the advisor: run each view's query, assess its rows, and turn a view the
account cannot read into a finding that names the grant it needs — never a crash."""

from __future__ import annotations

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


def statistics_since(db: Db) -> str:
    """Since when the cumulative statistics count, as text for the report ("unknown" if unreadable)."""
    try:
        row = db.one("perf/stats_since")
    except Exception as exc:
        db.rollback_quietly()
        log.info("statistics reset time not readable: %s", type(exc).__name__)
        return "the last statistics reset 上次统计重置"
    since = row.get("since") if row else None
    return "the last statistics reset 上次统计重置" if since is None else str(tables.naive_local(since))[:16]


def top_sql(
    db: Db, settings: PerfSettings, previous: Mapping[str, Mapping[str, Any]], since: str
) -> tuple[list[Finding], list[dict[str, Any]]]:
    """Top SQL findings and the snapshot to keep; an unreadable view is one warning finding."""
    try:
        rows = db.rows("perf/top_sql", {"fetch_n": settings.top_sql.fetch_n})
    except Exception as exc:
        db.rollback_quietly()
        log.warning("top SQL not readable: %s", type(exc).__name__)
        return [unavailable("top_sql", exc, HINTS["top_sql"][db.dialect])], []
    hidden = [r for r in rows if r.get("sql_id") is None or r.get("sql_text") == topsql.HIDDEN]
    visible = [r for r in rows if r not in hidden]
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
            + ("last week's snapshot" if previous else f"none (cumulative since {since})"),
        ),
    ]
    if hidden:
        findings.append(
            Finding(
                "check",
                "top_sql:visibility",
                "warning",
                float(len(hidden)),
                "statements",
                "all visible",
                f"{len(hidden)} 条其他账户的语句不可见 statements of other accounts are hidden from this account",
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
    """Every database check on an open read-only connection: findings and the top-SQL snapshot."""
    since = statistics_since(db)
    findings, snapshot = top_sql(db, settings, previous, since)
    findings += table_checks(db, settings, since)
    return findings, snapshot
