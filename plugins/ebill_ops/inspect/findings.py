"""A finding: one measured value of one target, judged against its thresholds, with advice.

Every check of the inspection (and the backup verification) speaks this one shape, so the
report, the ebops table and the alerts never care which check produced a row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

from ebill_ops.inspect.settings import Band

Severity = Literal["ok", "warning", "critical"]
Category = Literal["host", "database", "middleware", "application", "backup"]
SEVERITY_ORDER: dict[str, int] = {"ok": 0, "warning": 1, "critical": 2}
SEVERITY_LABELS = {"ok": "正常 OK", "warning": "警告 WARNING", "critical": "严重 CRITICAL"}
CATEGORY_LABELS = {
    "host": "主机 Hosts",
    "database": "数据库 Database",
    "middleware": "中间件 Middleware",
    "application": "应用 Application",
    "backup": "备份 Backup",
}
CATEGORIES: tuple[Category, ...] = ("host", "database", "middleware", "application", "backup")

# Check names with the Chinese label first (the report and mails show these).
CHECK_LABELS = {
    "reachable": "连通性 Reachable",
    "disk_used": "磁盘使用率 Disk used",
    "inode_used": "inode 使用率 Inodes used",
    "memory_available": "可用内存 Memory available",
    "load": "负载 Load per CPU",
    "time_skew": "时钟偏差 Time skew",
    "service": "服务状态 Service",
    "command": "巡检命令 Inspection command",
    "tablespace": "表空间 Tablespace",
    "temp_undo": "临时/回滚段 Temp / undo",
    "recovery_area": "恢复区/归档 Recovery area",
    "alert_log": "告警日志 Alert log",
    "invalid_objects": "失效对象 Invalid objects",
    "failed_jobs": "失败作业 Failed jobs",
    "long_sessions": "长时间会话 Long sessions",
    "blocking": "阻塞会话 Blocking sessions",
    "connections": "连接数 Connections",
    "wraparound": "事务号回卷 XID wraparound",
    "db_size": "数据库大小 Database size",
    "replication": "复制延迟 Replication lag",
    "accounts": "账户到期/锁定 Accounts",
    "query": "巡检查询 Inspection query",
    "backup_age": "最近备份 Last verified backup",
    "health": "健康检查 Health",
    "component": "组件状态 Component",
    "endpoint": "接口响应 Endpoint",
    "version": "版本基线 Version baseline",
    "bills_issued": "开票量 Bills issued",
    "issue_errors": "开票错误率 Issuing error rate",
    "transit_backlog": "在途积压 In-transit backlog",
    "backup_file": "备份文件 Backup file",
    "backup_checksum": "校验和 Checksum",
    "backup_size": "备份大小 Backup size",
    "backup_restore": "恢复测试 Test restore",
    "backup_table": "表核对 Table check",
    "backup_run": "备份执行 Backup run",
}


@dataclass(frozen=True)
class Finding:
    category: Category
    check: str
    target: str
    value: float | None
    unit: str
    threshold: str
    severity: Severity
    advice: str
    detail: str = ""
    raw_value: float | None = None  # a cumulative counter kept for the next run's difference

    @property
    def key(self) -> str:
        """Stable identity across runs: the incident key of the alerting."""
        return f"{self.category}:{self.check}:{self.target}"

    @property
    def label(self) -> str:
        return CHECK_LABELS.get(self.check, self.check)

    def row(self) -> dict[str, Any]:
        return asdict(self)

    def with_(self, **changes: Any) -> Finding:
        return replace(self, **changes)


def grade(value: float | None, limits: Band) -> Severity:
    """Severity of ``value`` against a band; no value is no judgement (ok)."""
    if value is None:
        return "ok"
    if limits.higher_is_worse:
        if value >= limits.critical:
            return "critical"
        return "warning" if value >= limits.warning else "ok"
    if value <= limits.critical:
        return "critical"
    return "warning" if value <= limits.warning else "ok"


def describe(limits: Band, unit: str = "") -> str:
    """``warn ≥ 85% / crit ≥ 97%`` (or ≤ when low values are the problem)."""
    op = "≥" if limits.higher_is_worse else "≤"
    return f"warn {op} {_num(limits.warning)}{unit} / crit {op} {_num(limits.critical)}{unit}"


def _num(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:g}"


def worst(severities: Iterable[str]) -> Severity:
    return max(severities, key=lambda s: SEVERITY_ORDER.get(s, 0), default="ok")  # type: ignore[return-value]


def ordered(findings: Iterable[Finding]) -> list[Finding]:
    """Critical first, then warnings, then the rest; stable within a severity by category and target."""
    rank = {c: i for i, c in enumerate(CATEGORIES)}
    return sorted(
        findings,
        key=lambda f: (-SEVERITY_ORDER[f.severity], rank.get(f.category, 99), f.check, f.target),
    )


def counts(findings: Iterable[Finding]) -> dict[str, int]:
    out = {"ok": 0, "warning": 0, "critical": 0}
    for f in findings:
        out[f.severity] += 1
    return out


def from_row(row: dict[str, Any]) -> Finding:
    """A finding read back from ``ebops.inspection_finding``."""
    value = row.get("value")
    raw = row.get("raw_value")
    return Finding(
        category=row["category"],
        check=row["check_name"],
        target=row["target"],
        value=float(value) if value is not None else None,
        unit=row.get("unit") or "",
        threshold=row.get("threshold") or "",
        severity=row["severity"],
        advice=row.get("advice") or "",
        detail=row.get("detail") or "",
        raw_value=float(raw) if raw is not None else None,
    )
