"""Top SQL of the week: the difference between this week's and last week's cumulative
statement statistics, ranked by time, with advice read from the figures.

pg_stat_statements and V$SQLSTATS only count up (since a reset, or since a statement was loaded
into the shared pool), so "this week" is the current reading minus the previous week's snapshot;
a statement without a baseline (new, reset, aged out and reloaded) counts whole. SQL text is
redacted before it is kept anywhere: literals may hold personal data or, in a utility
statement, a password.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ebill_ops.perf.findings import Finding
from ebill_ops.perf.settings import TopSqlSettings

HIDDEN = "<insufficient privilege>"
COUNTERS = ("calls", "total_ms", "rows_processed", "logical_reads", "disk_reads", "temp_blocks")

_STRING = re.compile(r"'(?:[^']|'')*'")
_SECRET = re.compile(r"\b(PASSWORD|IDENTIFIED\s+BY)\s+(\"[^\"]*\"|\S+)", re.IGNORECASE)
_LONG_NUMBER = re.compile(r"\b\d{6,}\b")
_SPACE = re.compile(r"\s+")


def redact_sql(text: str | None, limit: int = 1000) -> str:
    """SQL text safe to show: string literals, long numbers and passwords replaced, one line.

    Literals go first: a quoted password with a space in it is then one ``'?'`` token for the
    password rule, never a half-replaced string whose tail shows.
    """
    if not text:
        return ""
    out = _STRING.sub("'?'", text)
    out = _SECRET.sub(lambda m: f"{m.group(1)} ***", out)
    out = _LONG_NUMBER.sub("?", out)
    out = _SPACE.sub(" ", out).strip()
    return out if len(out) <= limit else out[: limit - 1] + "…"


def _num(value: Any) -> float:
    if value is None:
        return 0.0
    return float(value)


@dataclass(frozen=True)
class Statement:
    sql_id: str
    calls: float
    total_ms: float
    rows_processed: float
    logical_reads: float
    disk_reads: float
    temp_blocks: float
    sql_text: str
    basis: str  # "week" (difference to last week's snapshot) or "cumulative" (no baseline)

    @property
    def mean_ms(self) -> float:
        return self.total_ms / self.calls if self.calls else 0.0


def snapshot_rows(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The cumulative counters to keep for next week's difference (no SQL text is kept)."""
    out = []
    for r in rows:
        if r.get("sql_id") is None:
            continue
        out.append({"sql_id": str(r["sql_id"]), **{k: _num(r.get(k)) for k in COUNTERS}})
    return out


def weekly(
    current: Iterable[Mapping[str, Any]], previous: Mapping[str, Mapping[str, Any]]
) -> list[Statement]:
    """This week's figures per statement: current minus the baseline where one fits."""
    out = []
    for r in current:
        sql_id = str(r["sql_id"]) if r.get("sql_id") is not None else HIDDEN
        now = {k: _num(r.get(k)) for k in COUNTERS}
        base = previous.get(sql_id)
        basis = "cumulative"
        if base is not None and all(now[k] >= _num(base.get(k)) for k in ("calls", "total_ms")):
            now = {k: max(now[k] - _num(base.get(k)), 0.0) for k in COUNTERS}
            basis = "week"
            if now["calls"] == 0 and now["total_ms"] == 0:
                continue  # not run this week
        out.append(Statement(sql_id=sql_id, sql_text=redact_sql(r.get("sql_text")), basis=basis, **now))
    return sorted(out, key=lambda s: -s.total_ms)


def advice(s: Statement, settings: TopSqlSettings, dialect: str) -> str:
    """What the figures suggest, most specific first; always ends with how to read the plan."""
    tips = []
    calls = max(s.calls, 1.0)
    if s.temp_blocks / calls >= settings.spill_blocks_per_call and s.temp_blocks > 0:
        tips.append(
            "排序/哈希溢出到磁盘：检查 ORDER BY / GROUP BY / 哈希连接，必要时为该语句加大 work_mem（Oracle：PGA）。"
            " Sorts or hashes spill to disk: review ORDER BY / GROUP BY / hash joins; more work_mem (Oracle: PGA) for it."
        )
    reads_per_call = s.logical_reads / calls
    rows_per_call = s.rows_processed / calls
    if reads_per_call >= 10_000 and reads_per_call >= 100 * max(rows_per_call, 1.0):
        tips.append(
            "每次执行读大量数据块却只返回少量行：多为全表扫描或索引不合适，为过滤条件建索引。"
            " Many blocks read per call for few rows: likely a full scan or an unfit index; index the filter columns."
        )
    if s.logical_reads and s.disk_reads / s.logical_reads >= 0.5 and s.disk_reads >= 10_000:
        tips.append(
            "物理读占比高：数据不在缓存，检查是否扫描了历史分区（缺少分区裁剪）或缓存偏小。"
            " Mostly physical reads: check partition pruning on the issue time and the buffer cache size."
        )
    if s.calls >= 100_000 and s.mean_ms < 5:
        tips.append(
            "执行次数极多而单次很快：检查应用是否逐行调用（N+1），改为批量或缓存。"
            " Very many fast calls: look for row-by-row calls from the application (N+1); batch or cache."
        )
    if dialect == "oracle":
        plan = f"SELECT * FROM TABLE(DBMS_XPLAN.DISPLAY_CURSOR('{s.sql_id}'))"
    else:
        plan = "EXPLAIN (ANALYZE, BUFFERS) 在预生产执行 on pre-production"
    tips.append(f"查看执行计划 read the plan: {plan}；确认统计信息新鲜 check its statistics are fresh.")
    return " ".join(tips)


def assess(
    statements: list[Statement], settings: TopSqlSettings, dialect: str, *, since: str
) -> list[Finding]:
    """The top ``top_n`` statements; a warning when one takes a large share or is slow per call."""
    pool_ms = sum(s.total_ms for s in statements) or 1.0
    findings = []
    for rank, s in enumerate(statements[: settings.top_n], start=1):
        share = 100.0 * s.total_ms / pool_ms
        slow = s.calls >= settings.min_calls and s.mean_ms >= settings.warn_mean_ms
        heavy = share >= settings.warn_share_pct
        severity = "warning" if (slow or heavy) else "info"
        basis = "本周 this week" if s.basis == "week" else f"累计 cumulative since {since}"
        findings.append(
            Finding(
                "top_sql",
                s.sql_id,
                severity,  # type: ignore[arg-type]
                round(s.total_ms, 1),
                "ms",
                f"share ≥ {settings.warn_share_pct:g}% or mean ≥ {settings.warn_mean_ms:g} ms",
                f"{basis}: {s.calls:,.0f} calls, mean {s.mean_ms:,.1f} ms, {share:.1f}% of SQL time; "
                f"{s.sql_text[:300]}",
                advice(s, settings, dialect) if severity != "info" else "",
                rank,
                {
                    "calls": s.calls,
                    "total_ms": round(s.total_ms, 1),
                    "mean_ms": round(s.mean_ms, 2),
                    "share_pct": round(share, 1),
                    "rows": s.rows_processed,
                    "logical_reads": s.logical_reads,
                    "disk_reads": s.disk_reads,
                    "temp_blocks": s.temp_blocks,
                    "basis": s.basis,
                    "sql_text": s.sql_text,
                },
            )
        )
    return findings
