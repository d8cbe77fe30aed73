"""Database accounts, the same assessors for Oracle and PostgreSQL: privileged logins, expiry and
locks, default passwords (Oracle), role passwords tested offline (PostgreSQL ``pg_shadow``).

Each check is one query per dialect returning the same columns (``db_checks`` runs them); where a
dialect has no such thing its file returns no rows and says why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ebill_ops.intervals import as_naive_datetime
from ebill_ops.security import candidates as cand
from ebill_ops.security.findings import Finding
from ebill_ops.security.offline import try_candidates
from ebill_ops.security.settings import DatabaseAudit
from ebill_ops.security.verifiers import UnsupportedHash, pg_verifier

Rows = list[dict[str, Any]]


@dataclass
class Context:
    source: str  # "db:<conn_id>"
    dialect: str
    as_of: dt.datetime
    settings: DatabaseAudit
    candidates: cand.CandidateSet | None
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)  # by user name (db_accounts)
    stats: dict[str, int] = field(
        default_factory=lambda: {"accounts": 0, "hashes_tested": 0, "hashes_computed": 0, "limited": 0}
    )

    def f(self, rule: str, target: str, severity: str, detail: str, advice: str) -> Finding:
        return Finding(self.source, rule, target, severity, detail, advice)  # type: ignore[arg-type]

    def allowlisted(self, user: str) -> bool:
        return user.lower() in {u.lower() for u in self.settings.privileged_allowlist}

    def privileged(self, user: str) -> bool:
        row = self.accounts.get(user) or {}
        return bool(row.get("admin_roles") or row.get("admin_privileges"))


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().upper() in ("1", "Y", "YES", "T", "TRUE")
    return bool(value)


def accounts(rows: Rows, ctx: Context) -> list[Finding]:
    """Privileged logins, expired / expiring / locked accounts, old-only password verifiers."""
    out = []
    for r in rows:
        user = str(r["username"])
        ctx.accounts[user] = r
        ctx.stats["accounts"] += 1
        if not _flag(r.get("can_login", 1)):
            continue
        status = str(r.get("account_status") or "OPEN").upper()
        system = _flag(r.get("system_account"))
        privileges = ",".join(p for p in (r.get("admin_roles"), r.get("admin_privileges")) if p)
        if privileges and "LOCKED" not in status:
            expected = ctx.allowlisted(user)
            out.append(
                ctx.f(
                    "privileged",
                    user,
                    "info" if expected else "warning",
                    f"权限 privileges: {privileges}" + ("; 预期的管理账户 expected" if expected else ""),
                    "确认该账户确需特权；应用与运维账户使用最小权限，特权账户不用于日常连接。 "
                    "Confirm it needs these rights; applications and people use least-privilege accounts.",
                )
            )
        versions = str(r.get("password_versions") or "").upper()
        if versions and "10G" in versions and not any(v in versions for v in ("11G", "12C")):
            out.append(
                ctx.f(
                    "weak_hash",
                    user,
                    "warning",
                    f"PASSWORD_VERSIONS {versions}: 仅旧版 10G 口令校验值 only the case-insensitive 10G verifier",
                    "设置 SQLNET.ALLOWED_LOGON_VERSION_SERVER=12 后重设该账户口令（thin 模式驱动也无法用 10G 登录）。 "
                    "Set SQLNET.ALLOWED_LOGON_VERSION_SERVER=12 and reset the password (thin drivers refuse 10G).",
                )
            )
        if system:
            continue  # Oracle-maintained accounts are locked and expired on purpose
        expiry = as_naive_datetime(r.get("expiry_date"))
        if "EXPIRED" in status and "GRACE" not in status:
            out.append(
                ctx.f(
                    "expired",
                    user,
                    "warning",
                    f"状态 status {status}" + (f", 过期 expired {expiry:%Y-%m-%d}" if expiry else ""),
                    "确认账户用途：在用则重设口令，不用则锁定或删除。 Still used? Reset its password; otherwise lock or drop it.",
                )
            )
        elif "GRACE" in status or (
            expiry is not None and expiry <= ctx.as_of + dt.timedelta(days=ctx.settings.expiring_days)
        ):
            out.append(
                ctx.f(
                    "expiring",
                    user,
                    "warning",
                    f"状态 status {status}" + (f", 到期 expires {expiry:%Y-%m-%d}" if expiry else ""),
                    "到期前安排修改口令，避免应用连接中断。 Change the password before it expires so applications keep connecting.",
                )
            )
        if "TIMED" in status:
            out.append(
                ctx.f(
                    "failed_logins",
                    user,
                    "warning",
                    f"状态 status {status}: 因登录失败被临时锁定 locked after failed logins",
                    "查找错误口令的来源（应用配置的旧口令或口令猜测）。 Find who sent wrong passwords: a stale application setting or guessing.",
                )
            )
        elif "LOCKED" in status:
            lock = as_naive_datetime(r.get("lock_date"))
            out.append(
                ctx.f(
                    "locked",
                    user,
                    "info",
                    f"状态 status {status}" + (f", 锁定于 locked {lock:%Y-%m-%d}" if lock else ""),
                    "确认锁定是有意为之；不再使用的账户可删除。 Make sure the lock is intended; drop accounts nobody needs.",
                )
            )
    return out


def default_passwords(rows: Rows, ctx: Context) -> list[Finding]:
    """Oracle's DBA_USERS_WITH_DEFPWD: accounts still using the password they shipped with."""
    out = []
    for r in rows:
        status = str(r.get("account_status") or "").upper()
        usable = "LOCKED" not in status and not ("EXPIRED" in status and "GRACE" not in status)
        out.append(
            ctx.f(
                "default_password",
                str(r["username"]),
                "critical" if usable else "warning",
                f"仍为出厂默认口令 still has its default password; 状态 status {status or '?'}",
                "立即修改口令；不使用的账户保持锁定并过期。 Change the password now; keep unused accounts locked and expired.",
            )
        )
    return out


def password_hashes(rows: Rows, ctx: Context) -> list[Finding]:
    """PostgreSQL role passwords (pg_shadow): none, MD5, or weak — tested offline, never shown."""
    out = []
    for r in rows:
        user = str(r["username"])
        privileged = ctx.privileged(user)
        try:
            verifier = pg_verifier(user, r.get("password_hash"))
            result = None
            if verifier is not None and ctx.candidates is not None:
                result = try_candidates(verifier, user, ctx.candidates)
        except UnsupportedHash as exc:
            out.append(
                ctx.f(
                    "untestable",
                    user,
                    "info",
                    f"无法离线检测 cannot test offline: {exc}",
                    "检查该账户的口令格式。 Look at this role's password format.",
                )
            )
            continue
        if verifier is None:
            out.append(
                ctx.f(
                    "no_password",
                    user,
                    "info" if ctx.allowlisted(user) else "warning",
                    "可登录但未设口令：仅能经 trust/peer/证书规则登录 can log in but has no password "
                    "(only trust/peer/cert rules let it in)",
                    "设置口令或改为 NOLOGIN；检查 pg_hba.conf 中的 trust 规则。 Set a password or make it NOLOGIN; "
                    "check pg_hba.conf for trust rules.",
                )
            )
            continue
        if verifier.weakness:
            out.append(
                ctx.f(
                    "weak_hash",
                    user,
                    "warning",
                    verifier.weakness,
                    "在 password_encryption = scram-sha-256 下重设该口令。 Reset the password with password_encryption = scram-sha-256.",
                )
            )
        if result is None:
            continue
        ctx.stats["hashes_tested"] += 1
        ctx.stats["hashes_computed"] += result.tried
        ctx.stats["limited"] += int(result.limited)
        if result.weak:
            out.append(
                ctx.f(
                    "weak_password",
                    user,
                    "critical" if privileged else "warning",
                    f"规则 rule: {cand.describe(result.rules)}"
                    + ("; 特权账户 privileged" if privileged else ""),
                    "立即修改口令并同步更新使用该账户的应用配置（Airflow 连接等）。 "
                    "Change it now and update every application that uses the account (Airflow connections too).",
                )
            )
    return out
