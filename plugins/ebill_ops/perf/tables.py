"""Pure assessments of the table and index views: stale statistics, bloat, unused indexes and
full scans of big tables. The queries of both dialects return the same columns, so nothing
here asks which engine answered — only the advice names each engine's own command."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from ebill_ops.perf.findings import Finding, number
from ebill_ops.perf.settings import BloatSettings, IndexSettings, StatsSettings

Rows = Iterable[Mapping[str, Any]]
MB = 1024 * 1024


def naive_local(value: Any) -> dt.datetime | None:
    """Driver timestamps (aware from PostgreSQL, naive from Oracle) as naive local datetimes."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value
        from zoneinfo import ZoneInfo

        from ebill_ops.config import common

        return value.astimezone(ZoneInfo(common().timezone)).replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    return dt.datetime.fromisoformat(str(value))


def _name(r: Mapping[str, Any]) -> str:
    name = f"{r['schema_name']}.{r['table_name']}"
    return f"{name}:{r['partition_name']}" if r.get("partition_name") else name


def _truthy(value: Any) -> bool:
    return value in (True, 1, "1", "YES", "Y", "t", "true")


def stale_stats(rows: Rows, settings: StatsSettings, dialect: str) -> list[Finding]:
    out = []
    for r in rows:
        rows_now = number(r.get("num_rows")) or 0.0
        changed = number(r.get("modified_rows")) or 0.0
        analyzed = naive_local(r.get("last_analyzed"))
        target = _name(r)
        reason = None
        if dialect == "oracle":
            if r.get("stale_flag") == "YES":
                reason = "Oracle 标记为过期 flagged STALE"
            elif analyzed is None:
                reason = "从未收集 never gathered"
        elif _truthy(r.get("partitioned")):
            children = naive_local(r.get("children_analyzed"))
            if analyzed is None and children is not None:
                reason = "分区表父表从未分析 partitioned parent never analyzed"
            elif (
                analyzed is not None
                and children is not None
                and children - analyzed > dt.timedelta(days=settings.parent_lag_days)
            ):
                reason = f"父表统计比分区旧 {(children - analyzed).days} 天 parent statistics older than its partitions'"
        elif analyzed is None and rows_now + changed >= settings.min_changed_rows:
            reason = "从未分析 never analyzed"
        elif changed >= max(settings.min_changed_rows, settings.stale_pct / 100.0 * rows_now) and changed > 0:
            reason = f"分析后变更 {changed:,.0f} 行 rows changed since the last analyze"
        if reason is None:
            continue
        pct = 100.0 * changed / rows_now if rows_now else None
        locked = r.get("locked")
        out.append(
            Finding(
                "stale_stats",
                target,
                "warning",
                changed,
                "rows",
                f"≥ {settings.stale_pct:g}% and ≥ {settings.min_changed_rows} rows changed",
                f"{reason}; rows {rows_now:,.0f}, changed {changed:,.0f}"
                + (f" ({pct:.0f}%)" if pct is not None else "")
                + (f", last analyzed {analyzed:%Y-%m-%d %H:%M}" if analyzed is not None else "")
                + (f", statistics locked ({locked})" if locked else ""),
                _stats_advice(r, dialect, locked=bool(locked)),
                facts={"rows": rows_now, "changed": changed, "last_analyzed": analyzed, "reason": reason},
            )
        )
    return sorted(out, key=lambda f: -(f.value or 0))


def _stats_advice(r: Mapping[str, Any], dialect: str, *, locked: bool) -> str:
    if dialect == "oracle":
        part = f", partname => '{r['partition_name']}'" if r.get("partition_name") else ""
        text = (
            f"收集统计信息 gather: EXEC DBMS_STATS.GATHER_TABLE_STATS('{r['schema_name']}', '{r['table_name']}'{part}, "
            "cascade => TRUE); 并确认自动统计任务在维护窗口内运行 check the automatic statistics job ran (DBA_AUTOTASK_CLIENT)."
        )
        if locked:
            text += " 统计信息被锁定：若非有意，先 DBMS_STATS.UNLOCK_TABLE_STATS。 Statistics are locked: unlock first unless deliberate."
        return text
    if _truthy(r.get("partitioned")):
        return (
            f"ANALYZE {r['schema_name']}.{r['table_name']}; —— autovacuum 只分析分区、从不分析分区表父表，"
            "大批量装载后请手工分析父表。 autovacuum analyzes partitions, never the parent: analyze it after big loads."
        )
    return (
        f"ANALYZE {r['schema_name']}.{r['table_name']}; 若反复出现，调低该表的 autovacuum_analyze_scale_factor。"
        " If it recurs, lower the table's autovacuum_analyze_scale_factor."
    )


def bloat(rows: Rows, settings: BloatSettings, dialect: str) -> list[Finding]:
    out = []
    for r in rows:
        size = number(r.get("table_bytes"))
        expected = number(r.get("expected_bytes"))
        if not size or size < settings.min_mb * MB:
            continue
        wasted = max(size - (expected or 0.0), 0.0) if expected is not None else 0.0
        pct = 100.0 * wasted / size
        live = number(r.get("num_rows")) or 0.0
        dead = number(r.get("dead_rows"))
        dead_pct = 100.0 * dead / (live + dead) if dead is not None and live + dead > 0 else None
        severity = "ok"
        if expected is not None and pct >= settings.critical_pct:
            severity = "critical"
        elif (expected is not None and pct >= settings.warn_pct) or (
            dead_pct is not None and dead_pct >= settings.dead_rows_pct
        ):
            severity = "warning"
        if severity == "ok":
            continue
        detail = f"size {size / MB:,.1f} MB, estimated waste {wasted / MB:,.1f} MB ({pct:.0f}%)"
        if dead is not None:
            detail += f"; dead rows {dead:,.0f}" + (f" ({dead_pct:.0f}%)" if dead_pct is not None else "")
        out.append(
            Finding(
                "bloat",
                _name(r),
                severity,  # type: ignore[arg-type]
                round(pct, 1),
                "%",
                f"waste ≥ {settings.warn_pct:g}% / {settings.critical_pct:g}%, dead rows ≥ {settings.dead_rows_pct:g}%",
                detail,
                _bloat_advice(r, dialect),
                facts={
                    "size_mb": round(size / MB, 1),
                    "wasted_mb": round(wasted / MB, 1),
                    "wasted_pct": round(pct, 1),
                    "dead_rows": dead,
                    "dead_pct": None if dead_pct is None else round(dead_pct, 1),
                },
            )
        )
    return sorted(out, key=lambda f: -(f.facts.get("wasted_mb") or 0))


def _bloat_advice(r: Mapping[str, Any], dialect: str) -> str:
    table = f"{r['schema_name']}.{r['table_name']}"
    if dialect == "oracle":
        move = (
            f"ALTER TABLE {table} MOVE PARTITION {r['partition_name']} ONLINE UPDATE INDEXES"
            if r.get("partition_name")
            else f"ALTER TABLE {table} MOVE ONLINE"
        )
        return (
            f"业务低峰期整理 reorganise in a quiet window: {move}（12.2+）；或 ALTER TABLE {table} ENABLE ROW MOVEMENT; "
            f"ALTER TABLE {table} SHRINK SPACE CASCADE（ASSM 表空间）。之后重新收集统计信息 then gather statistics."
        )
    return (
        f"VACUUM (ANALYZE) {table}; 长期膨胀用 pg_repack（在线）或维护窗口内 VACUUM FULL（锁表）；"
        "检查长事务是否阻碍清理。 Lasting bloat: pg_repack online, or VACUUM FULL in a maintenance window "
        "(exclusive lock); long transactions hold cleanup back."
    )


def unused_indexes(rows: Rows, settings: IndexSettings, dialect: str, *, since: str) -> list[Finding]:
    out = []
    for r in rows:
        size = number(r.get("index_bytes")) or 0.0
        if (
            _truthy(r.get("is_unique"))
            or (number(r.get("scans")) or 0) > 0
            or size < settings.unused_min_mb * MB
        ):
            continue
        name = f"{r['schema_name']}.{r['index_name']}"
        if dialect == "oracle":
            advice = (
                f"先设为不可见观察一个业务周期 make it invisible for a full business cycle: ALTER INDEX {name} INVISIBLE; "
                f"确认无影响后 DROP INDEX {name}。DBA_INDEX_USAGE 为抽样统计 DBA_INDEX_USAGE samples usage."
            )
        else:
            advice = (
                "确认覆盖一个完整业务周期（月末、年末）且备库也未使用后，"
                f"DROP INDEX CONCURRENTLY {name}。 Confirm over a full business cycle (month end, year end) and on "
                "replicas, then drop it concurrently."
            )
        out.append(
            Finding(
                "unused_index",
                name,
                "warning",
                round(size / MB, 1),
                "MB",
                f"0 scans, ≥ {settings.unused_min_mb:g} MB",
                f"on {r['schema_name']}.{r['table_name']}: no scan since {since}; {size / MB:,.1f} MB "
                "kept up to date by every write",
                advice,
                facts={"table": f"{r['schema_name']}.{r['table_name']}", "size_mb": round(size / MB, 1)},
            )
        )
    return sorted(out, key=lambda f: -(f.value or 0))


def seq_scans(rows: Rows, settings: IndexSettings, dialect: str, *, since: str) -> list[Finding]:
    out = []
    for r in rows:
        table_rows = number(r.get("num_rows")) or 0.0
        scans = number(r.get("seq_scan")) or 0.0
        read = number(r.get("seq_tup_read"))
        if table_rows < settings.big_table_rows or scans < settings.min_seq_scans:
            continue
        per_scan = read / scans if read is not None and scans else None
        if per_scan is not None and per_scan < settings.seq_read_share * table_rows:
            continue
        index_scans = number(r.get("idx_scan"))
        create = "CREATE INDEX ... ONLINE" if dialect == "oracle" else "CREATE INDEX CONCURRENTLY"
        out.append(
            Finding(
                "seq_scan",
                _name(r),
                "warning",
                scans,
                "scans",
                f"≥ {settings.min_seq_scans} full scans of ≥ {settings.big_table_rows:,} rows",
                f"{scans:,.0f} full scans since {since} of {table_rows:,.0f} rows"
                + (f", {per_scan:,.0f} rows read per scan" if per_scan is not None else "")
                + (f"; index scans {index_scans:,.0f}" if index_scans is not None else ""),
                "大表被频繁整表读取：在 Top SQL 中找到读该表的语句，查看执行计划，为其过滤条件建索引"
                f"（{create}）。 A big table is read whole often: find its statements in the top SQL, read "
                f"their plans, index their filter columns ({create}).",
                facts={
                    "rows": table_rows,
                    "scans": scans,
                    "rows_per_scan": per_scan,
                    "index_scans": index_scans,
                },
            )
        )
    return sorted(out, key=lambda f: -(f.value or 0))
