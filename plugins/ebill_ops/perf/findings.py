"""One finding of the performance advisor: what, where, how bad, and what to do about it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["ok", "info", "warning", "critical"]
SEVERITY_RANK = {"ok": 0, "info": 0, "warning": 1, "critical": 2}
SEVERITY_LABELS = {
    "ok": "正常 ok",
    "info": "信息 info",
    "warning": "建议处理 warning",
    "critical": "严重 critical",
}

# Categories in report order, Chinese first.
CATEGORIES: dict[str, str] = {
    "top_sql": "Top SQL 高耗时语句",
    "stale_stats": "统计信息过期 Stale statistics",
    "bloat": "表膨胀/碎片 Bloat and fragmentation",
    "unused_index": "未使用的索引 Unused indexes",
    "seq_scan": "疑似缺索引 Missing-index hints (full scans of big tables)",
    "slow_interface": "接口耗时（周） Interface latency over the week",
    "slow_window": "接口慢时段 Slow interface windows",
    "check": "检查项 Checks run",
}


@dataclass(frozen=True)
class Finding:
    category: str
    target: str
    severity: Severity
    value: float | None
    unit: str
    threshold: str
    detail: str
    advice: str
    rank: int = 0
    facts: Mapping[str, Any] = field(default_factory=dict)

    @property
    def needs_attention(self) -> bool:
        return SEVERITY_RANK[self.severity] >= 1

    def row(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "target": self.target[:300],
            "severity": self.severity,
            "rank_no": self.rank,
            "value": self.value,
            "unit": self.unit[:20],
            "threshold": self.threshold[:200],
            "detail": self.detail[:2000],
            "advice": self.advice[:2000],
            "facts": json.dumps(dict(self.facts), ensure_ascii=False, default=str) if self.facts else None,
        }


def number(value: Any) -> float | None:
    """A driver number (int, Decimal, float) as a float; None stays None."""
    return None if value is None else float(value)


def is_unreadable(category: str, severity: str, target: str) -> bool:
    """A check that could not run at all (``top_sql:visibility`` ran, and saw only part)."""
    return category == "check" and severity == "warning" and ":" not in target


def worst(severities: Iterable[str]) -> str:
    return max(severities, key=lambda s: SEVERITY_RANK.get(s, 0), default="ok")


def check_finding(
    check: str, *, examined: int, found: int, unit: str = "objects", detail: str = ""
) -> Finding:
    """The "this check ran" line of the report (so an empty section means "nothing found")."""
    return Finding(
        "check",
        check,
        "ok",
        float(found),
        "findings",
        f"{examined} {unit} examined",
        detail or f"{examined} {unit} examined, {found} finding(s)",
        "",
    )


def unavailable(check: str, error: BaseException | str, hint: str) -> Finding:
    """A check the account could not run: a warning with the grant it needs, never a crash."""
    text = (
        error
        if isinstance(error, str)
        else f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
    )
    return Finding(
        "check",
        check,
        "warning",
        None,
        "",
        "readable",
        f"无法读取 not readable: {text[:500]}",
        hint,
    )
