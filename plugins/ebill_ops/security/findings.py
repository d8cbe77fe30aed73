"""One shape for every security finding: who (target), what rule, how bad, what to do.

A finding never carries a password or a hash: ``detail`` names the rule that matched
("in the weak-password list", "equals the login name"), never the value that matched.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

Severity = Literal["info", "warning", "critical"]
SEVERITY_ORDER: dict[str, int] = {"info": 0, "warning": 1, "critical": 2}
SEVERITY_LABELS = {"info": "提示 INFO", "warning": "警告 WARNING", "critical": "严重 CRITICAL"}

# Rule -> (category, label with Chinese first). The category groups the report's sections.
RULES: dict[str, tuple[str, str]] = {
    "weak_password": ("password", "弱口令 Weak password"),
    "default_password": ("password", "默认口令 Default password"),
    "no_password": ("password", "无口令 No password"),
    "weak_hash": ("password", "弱散列算法 Weak password hash"),
    "untestable": ("password", "无法检测 Hash not testable"),
    "locked": ("account", "账户锁定 Locked"),
    "failed_logins": ("account", "登录失败过多 Failed-login burst"),
    "expired": ("account", "账户已过期 Expired"),
    "expiring": ("account", "即将过期 Expiring soon"),
    "password_stale": ("account", "口令长期未改 Password not changed"),
    "dormant": ("account", "长期未登录 Dormant"),
    "privileged": ("account", "特权账户 Privileged account"),
    "password_life_time": ("policy", "口令有效期 Password lifetime"),
    "failed_login_attempts": ("policy", "失败锁定 Lockout after failed logins"),
    "password_verify_function": ("policy", "口令复杂度 Password complexity check"),
    "auth_rule": ("policy", "认证规则 Authentication rule"),
    "auth_setting": ("policy", "认证参数 Authentication setting"),
    "not_readable": ("coverage", "无权读取 Not readable"),
    "check_failed": ("coverage", "检查失败 Check failed"),
}
CATEGORY_LABELS = {
    "password": "口令 Passwords",
    "account": "账户状态 Accounts",
    "policy": "口令策略 Password policy",
    "coverage": "审计覆盖 Audit coverage",
}
SOURCE_LABELS = {"app": "应用用户 Application users", "db": "数据库账户 Database accounts"}


@dataclass(frozen=True)
class Finding:
    source: str  # "app:<conn_id>" (application users) or "db:<conn_id>" (database accounts)
    rule: str
    target: str  # login name, role, "<profile>:<resource>", "pg_hba.conf:<line>", a view
    severity: Severity
    detail: str
    advice: str
    accepted: str = ""  # the reason, when the site accepted this risk

    @property
    def key(self) -> str:
        """Stable identity across weeks: the incident key and what accepted risks match."""
        return f"{self.source}:{self.rule}:{self.target}"

    @property
    def category(self) -> str:
        return RULES.get(self.rule, ("coverage", self.rule))[0]

    @property
    def label(self) -> str:
        return RULES.get(self.rule, ("coverage", self.rule))[1]

    @property
    def actionable(self) -> bool:
        """Warnings and criticals open incidents; info is listed in the report only."""
        return self.severity != "info"

    def row(self) -> dict[str, Any]:
        return {**asdict(self), "category": self.category, "label": self.label}


def source_kind(source: str) -> str:
    return source.split(":", 1)[0]


def accept(findings: Iterable[Finding], accepted: Sequence[Any], today: dt.date) -> list[Finding]:
    """Downgrade findings the site accepted (``security.accepted``) to info, keeping the reason."""
    out = []
    for f in findings:
        match = next(
            (
                a
                for a in accepted
                if (a.until is None or today <= a.until) and fnmatch.fnmatchcase(f.key, a.key)
            ),
            None,
        )
        if match is not None and f.severity != "info":
            f = replace(f, severity="info", accepted=match.reason)
        out.append(f)
    return out


RULE_RANK = {rule: i for i, rule in enumerate(RULES)}


def ordered(findings: Iterable[Finding]) -> list[Finding]:
    """Critical first; then by source, rule (in ``RULES`` order: weak passwords first) and target."""
    return sorted(
        findings,
        key=lambda f: (-SEVERITY_ORDER[f.severity], f.source, RULE_RANK.get(f.rule, len(RULES)), f.target),
    )


def counts(findings: Iterable[Finding]) -> dict[str, int]:
    out = {"critical": 0, "warning": 0, "info": 0}
    for f in findings:
        out[f.severity] += 1
    return out


def worst(findings: Iterable[Finding]) -> str:
    return max((f.severity for f in findings), key=SEVERITY_ORDER.__getitem__, default="info")


def from_row(row: dict[str, Any]) -> Finding:
    """A finding read back from ``ebops.security_finding``."""
    return Finding(
        source=row["source"],
        rule=row["rule"],
        target=row["target"],
        severity=row["severity"],
        detail=row.get("detail") or "",
        advice=row.get("advice") or "",
        accepted=row.get("accepted") or "",
    )
