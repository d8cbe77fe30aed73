"""Database checks: one query per check in each dialect, one pure assessor per check.

The queries (``include/sql/<dialect>/inspect/db_*.sql``) return the same columns in Oracle and
PostgreSQL, so an assessor never asks which engine answered. A query that cannot run (missing
privilege, view absent in an edition) becomes a warning finding and the other checks go on.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ebill_ops.inspect.findings import Finding, describe, grade
from ebill_ops.inspect.settings import DatabaseSettings, DatabaseThresholds

log = logging.getLogger(__name__)

Rows = list[dict[str, Any]]
Previous = Mapping[str, Finding]


@dataclass(frozen=True)
class Context:
    """What an assessor needs besides its rows."""

    db: str  # the inspected connection id, prefix of every target
    thresholds: DatabaseThresholds
    previous: Previous  # findings of the previous inspection by key (cumulative counters, growth)


def _f(
    ctx: Context,
    check: str,
    target: str,
    value: float | None,
    unit: str,
    threshold: str,
    severity: str,
    advice: str,
    detail: str = "",
    raw: float | None = None,
) -> Finding:
    return Finding(
        "database",
        check,
        f"{ctx.db}:{target}" if target else ctx.db,
        value,
        unit,
        threshold,
        severity,
        advice if severity != "ok" else "正常 ok",
        detail,
        raw,
    )  # type: ignore[arg-type]


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def tablespaces(rows: Rows, ctx: Context) -> list[Finding]:
    limits = ctx.thresholds.tablespace_used_pct
    out = []
    for r in rows:
        pct = _num(r["used_pct"])
        detail = f"used {_num(r['used_mb'])} MB"
        if r.get("max_mb") is not None:
            detail += f" of {_num(r['max_mb'])} MB" + (
                " (autoextend ceiling)" if r.get("autoextensible") else ""
            )
        else:
            detail += "; no size limit of its own: the filesystem check covers it"
        out.append(
            _f(
                ctx,
                "tablespace",
                r["tablespace_name"],
                pct if pct is not None else _num(r["used_mb"]),
                "%" if pct is not None else "MB",
                describe(limits, "%") if pct is not None else "-",
                grade(pct, limits),
                "表空间将满：增加数据文件或提高 MAXSIZE，清理/归档旧分区。 Tablespace filling: add a datafile or raise MAXSIZE; archive old partitions.",
                detail,
            )
        )
    return out


def temp_undo(rows: Rows, ctx: Context) -> list[Finding]:
    out = []
    for r in rows:
        size, used = _num(r["size_mb"]), _num(r["used_mb"])
        area = str(r["area"]).upper()
        limits = ctx.thresholds.undo_used_pct if area == "UNDO" else ctx.thresholds.temp_used_pct
        if size:
            pct = round(100.0 * (used or 0) / size, 1)
            out.append(
                _f(
                    ctx,
                    "temp_undo",
                    f"{area}:{r['tablespace_name']}",
                    pct,
                    "%",
                    describe(limits, "%"),
                    grade(pct, limits),
                    "临时/回滚空间紧张：查找大排序或长事务，必要时扩容。 Temp/undo tight: find big sorts or long transactions; extend if needed.",
                    f"used {used} MB of {size} MB",
                )
            )
        else:
            out.append(
                _f(
                    ctx,
                    "temp_undo",
                    f"{area}:{r['tablespace_name']}",
                    used,
                    "MB",
                    "-",
                    "ok",
                    "",
                    "temporary files written since the statistics reset; no ceiling",
                )
            )
    return out


def recovery_area(rows: Rows, ctx: Context) -> list[Finding]:
    limits = ctx.thresholds.recovery_area_used_pct
    out = []
    for r in rows:
        used, reclaim, limit = _num(r["used_mb"]) or 0, _num(r["reclaimable_mb"]) or 0, _num(r["limit_mb"])
        pct = round(100.0 * (used - reclaim) / limit, 1) if limit else None
        severity = grade(pct, limits)
        errors = int(r.get("archive_errors") or 0)
        if errors:
            severity = "critical"
        detail = f"used {used} MB, reclaimable {reclaim} MB" + (f" of {limit} MB" if limit else "")
        if errors:
            detail += f"; {errors} archive destination(s) failing"
        out.append(
            _f(
                ctx,
                "recovery_area",
                str(r["location"]),
                pct if pct is not None else used,
                "%" if pct is not None else "MB",
                describe(limits, "%") if pct is not None else "archiving ok",
                severity,
                "归档/恢复区异常：确认归档目的地可写，备份后删除过期归档（RMAN DELETE OBSOLETE）。 Archiving at risk: make the destination writable; back up and delete obsolete archived logs.",
                detail,
            )
        )
    return out


def alert_log(rows: Rows, ctx: Context) -> list[Finding]:
    """New errors since the last run; cumulative counters (PostgreSQL) are differenced."""
    critical_patterns = [p.lower() for p in ctx.thresholds.critical_errors]
    out = []
    for r in rows:
        message = str(r["message"])
        count = int(r["error_count"] or 0)
        raw = None
        target = re.sub(r"\s+", " ", message)[:60]
        if int(r.get("cumulative") or 0):
            raw = float(count)
            before = ctx.previous.get(f"database:alert_log:{ctx.db}:{target}")
            base = before.raw_value if before is not None and before.raw_value is not None else None
            count = 0 if base is None or count < base else int(count - base)  # first run or reset: no news
        if count <= 0:
            severity = "ok"
        elif any(p in message.lower() for p in critical_patterns):
            severity = "critical"
        else:
            severity = "warning"
        out.append(
            _f(
                ctx,
                "alert_log",
                target,
                count,
                "new",
                "0",
                severity,
                "查看告警日志/数据库日志中的原文与跟踪文件，按错误号处理。 Read the alert log and trace files for these errors; act on the error code.",
                f"{message[:200]} (last {r.get('last_seen')})" if count else "",
                raw,
            )
        )
    return out


def invalid_objects(rows: Rows, ctx: Context) -> list[Finding]:
    return [
        _f(
            ctx,
            "invalid_objects",
            f"{r['owner']}.{r['object_type']}",
            int(r["invalid_count"]),
            "objects",
            "0",
            "warning" if int(r["invalid_count"]) else "ok",
            "重新编译失效对象（UTL_RECOMP / ALTER ... COMPILE），或重建失效索引（REINDEX CONCURRENTLY）。 Recompile invalid objects or rebuild invalid indexes.",
        )
        for r in rows
    ] or [_f(ctx, "invalid_objects", "", 0, "objects", "0", "ok", "")]


def failed_jobs(rows: Rows, ctx: Context) -> list[Finding]:
    return [
        _f(
            ctx,
            "failed_jobs",
            str(r["job_name"]),
            int(r["failures"]),
            "failures",
            "0",
            "warning",
            "查看作业运行明细中的错误并重跑。 Read the job's run details and error, fix and re-run it.",
            f"last run {r.get('last_run')}, error {r.get('last_error')}",
        )
        for r in rows
    ] or [_f(ctx, "failed_jobs", "", 0, "failures", "0", "ok", "")]


def long_sessions(rows: Rows, ctx: Context) -> list[Finding]:
    limits = ctx.thresholds.long_session_seconds
    out = [
        _f(
            ctx,
            "long_sessions",
            f"session {r['session_id']}",
            int(r["seconds"]),
            "s",
            describe(limits, "s"),
            grade(float(r["seconds"]), limits),
            "长时间运行或事务未提交：联系会话所属用户/程序，确认后再终止。 Long call or open transaction: ask its owner before killing it.",
            f"user {r.get('username')}, program {r.get('program')}, state {r.get('state')}, query id {r.get('query_id')}",
        )
        for r in rows
    ]
    return [f for f in out if f.severity != "ok"] or [
        _f(ctx, "long_sessions", "", 0, "sessions", describe(limits, "s"), "ok", "")
    ]


def blocking(rows: Rows, ctx: Context) -> list[Finding]:
    limits = ctx.thresholds.blocked_seconds
    out = [
        _f(
            ctx,
            "blocking",
            f"session {r['waiting_session']}",
            int(r["wait_seconds"] or 0),
            "s",
            describe(limits, "s"),
            grade(float(r["wait_seconds"] or 0), limits),
            "会话被阻塞：找到阻塞者（blocking session）确认其事务，必要时让其提交/回滚或终止。 Blocked session: find the blocker's transaction; have it commit or roll back, or end it.",
            f"waiting user {r.get('waiting_user')} blocked by session(s) {r.get('blocking_session')} "
            f"({r.get('blocking_user')}), event {r.get('event')}, query id {r.get('query_id')}",
        )
        for r in rows
    ]
    return out or [_f(ctx, "blocking", "", 0, "sessions", describe(limits, "s"), "ok", "")]


def connections(rows: Rows, ctx: Context) -> list[Finding]:
    limits = ctx.thresholds.connections_used_pct
    out = []
    for r in rows:
        limit = _num(r["limit_value"])
        pct = round(100.0 * float(r["used"]) / limit, 1) if limit else None
        out.append(
            _f(
                ctx,
                "connections",
                str(r["resource_name"]),
                pct,
                "%",
                describe(limits, "%"),
                grade(pct, limits),
                "连接数接近上限：检查连接池配置与连接泄漏。 Connections near the limit: check pool sizes and leaks.",
                f"{r['used']} of {r['limit_value'] if limit else 'unlimited'}",
            )
        )
    return out


def wraparound(rows: Rows, ctx: Context) -> list[Finding]:
    limits = ctx.thresholds.wraparound_xid_age
    out = []
    for r in rows:
        if r["xid_age"] is None:
            continue  # not applicable to this engine
        age = float(max(int(r["xid_age"]), int(r.get("mxid_age") or 0)))
        out.append(
            _f(
                ctx,
                "wraparound",
                str(r["database_name"]),
                age,
                "xids",
                describe(limits),
                grade(age, limits),
                "事务号老化：对最老的表执行 VACUUM (FREEZE)，检查阻止冻结的长事务/复制槽。 XID age high: VACUUM (FREEZE) the oldest tables; look for old transactions or slots holding it back.",
                f"xid age {r['xid_age']}, multixact age {r.get('mxid_age')}",
            )
        )
    return out


def db_size(rows: Rows, ctx: Context) -> list[Finding]:
    limits = ctx.thresholds.size_growth_pct
    out = []
    for r in rows:
        size = float(r["size_mb"])
        target = str(r["database_name"])
        before = ctx.previous.get(f"database:db_size:{ctx.db}:{target}")
        base = before.raw_value if before is not None else None
        growth = round(100.0 * (size - base) / base, 1) if base else None
        out.append(
            _f(
                ctx,
                "db_size",
                target,
                growth,
                "% growth",
                describe(limits, "%"),
                grade(growth, limits),
                "数据库增长异常：确认是否有批量导入、日志表膨胀或重复数据。 Unusual growth: look for bulk loads, bloating log tables or duplicates.",
                f"{size:,.1f} MB" + (f", previous {base:,.1f} MB" if base else ", no previous size"),
                size,
            )
        )
    return out


def replication(rows: Rows, ctx: Context) -> list[Finding]:
    limits = ctx.thresholds.replication_lag_seconds
    out = [
        _f(
            ctx,
            "replication",
            f"{r['standby']} {r['metric']}",
            float(r["lag_seconds"] or 0),
            "s",
            describe(limits, "s"),
            grade(float(r["lag_seconds"] or 0), limits),
            "复制延迟：检查网络、备库负载与日志应用进程。 Replication behind: check the network, the standby's load and its apply process.",
            f"state {r.get('state')}",
        )
        for r in rows
    ]
    return out or [
        _f(ctx, "replication", "", None, "s", describe(limits, "s"), "ok", "", "no standby reported")
    ]


def accounts(rows: Rows, ctx: Context) -> list[Finding]:
    vital = {a.lower() for a in ctx.thresholds.critical_accounts}
    out = []
    for r in rows:
        status = str(r["account_status"]).upper()
        user = str(r["username"])
        broken = "LOCKED" in status or (status.startswith("EXPIRED") and "GRACE" not in status)
        severity = "critical" if broken and user.lower() in vital else "warning"
        out.append(
            _f(
                ctx,
                "accounts",
                user,
                None,
                "",
                f"expires within {ctx.thresholds.account_expiry_days} d",
                severity,
                "账户锁定/过期或即将过期：确认用途后解锁或修改口令（不要在工单中写明口令）。 Locked / expiring account: unlock or change its password after checking who uses it.",
                f"{status}, expires {r.get('expiry_date')}, locked {r.get('lock_date')}",
            )
        )
    return out or [_f(ctx, "accounts", "", 0, "accounts", "none locked or expiring", "ok", "")]


@dataclass(frozen=True)
class Check:
    name: str
    query: str
    assess: Callable[[Rows, Context], list[Finding]]


CHECKS: tuple[Check, ...] = (
    Check("tablespace", "inspect/db_tablespaces", tablespaces),
    Check("temp_undo", "inspect/db_temp_undo", temp_undo),
    Check("recovery_area", "inspect/db_recovery_area", recovery_area),
    Check("alert_log", "inspect/db_errors", alert_log),
    Check("invalid_objects", "inspect/db_invalid_objects", invalid_objects),
    Check("failed_jobs", "inspect/db_failed_jobs", failed_jobs),
    Check("long_sessions", "inspect/db_long_sessions", long_sessions),
    Check("blocking", "inspect/db_blocking", blocking),
    Check("connections", "inspect/db_connections", connections),
    Check("wraparound", "inspect/db_wraparound", wraparound),
    Check("db_size", "inspect/db_size", db_size),
    Check("replication", "inspect/db_replication", replication),
    Check("accounts", "inspect/db_accounts", accounts),
)

_PLACEHOLDER = re.compile(r"%\((\w+)\)s|(?<![:\w]):(\w+)")


def bind(text: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """Only the parameters the statement names (Oracle rejects unused binds)."""
    used = {a or b for a, b in _PLACEHOLDER.findall(text)}
    return {k: v for k, v in params.items() if k in used}


def query_params(settings: DatabaseSettings, since: dt.datetime) -> dict[str, Any]:
    t = settings.thresholds
    return {
        "since": since,
        "min_seconds": int(t.long_session_seconds.warning),
        "expiry_days": int(t.account_expiry_days),
    }


def run_checks(
    db: Any, conn_id: str, settings: DatabaseSettings, since: dt.datetime, previous: Previous
) -> list[Finding]:
    """Run every check on an open read-only connection; a failing query is a finding."""
    ctx = Context(conn_id, settings.thresholds, previous)
    params = query_params(settings, since)
    findings: list[Finding] = []
    for check in CHECKS:
        text = db.sql(check.query)
        try:
            rows = db.rows_sql(text, bind(text, params))
        except Exception as exc:
            db.rollback_quietly()
            message = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:300]
            log.warning("inspection query %s on %s failed: %s", check.query, conn_id, message)
            findings.append(
                Finding(
                    "database",
                    "query",
                    f"{conn_id}:{check.name}",
                    None,
                    "",
                    "runs",
                    "warning",
                    "巡检查询失败：检查巡检账户权限（Oracle 需 SELECT_CATALOG_ROLE，PostgreSQL 需 pg_monitor）。 "
                    "The inspection query failed: check the inspection account's privileges.",
                    message,
                )
            )
            continue
        findings.extend(check.assess(rows, ctx))
    return findings
