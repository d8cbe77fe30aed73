"""Application users of the bill platform (``ebill.app_user``): passwords, locks, expiry, age.

Pure functions over rows: the hash and salt stay inside ``AppUser`` (hidden from ``repr``) and
are only handed to a verifier; findings say which rule matched, never which password.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ebill_ops.intervals import as_naive_datetime
from ebill_ops.security import candidates as cand
from ebill_ops.security.findings import Finding
from ebill_ops.security.offline import try_candidates
from ebill_ops.security.settings import AppAudit
from ebill_ops.security.verifiers import UnsupportedHash, Verifier, app_verifier


@dataclass(frozen=True)
class AppUser:
    login_name: str
    display_name: str
    place_code: str | None
    password_algo: str
    locked: bool
    failed_logins: int
    last_login_time: dt.datetime | None
    password_changed: dt.datetime | None
    expires_at: dt.datetime | None
    password_salt: str = field(default="", repr=False)
    password_hash: str = field(default="", repr=False)


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "t", "true", "y", "yes")
    return bool(value)


def from_row(row: Mapping[str, Any]) -> AppUser:
    return AppUser(
        login_name=str(row["login_name"]),
        display_name=str(row.get("display_name") or ""),
        place_code=row.get("place_code"),
        password_algo=str(row.get("password_algo") or ""),
        locked=_bool(row.get("locked")),
        failed_logins=int(row.get("failed_logins") or 0),
        last_login_time=as_naive_datetime(row.get("last_login_time")),
        password_changed=as_naive_datetime(row.get("password_changed")),
        expires_at=as_naive_datetime(row.get("expires_at")),
        password_salt=str(row.get("password_salt") or ""),
        password_hash=str(row.get("password_hash") or ""),
    )


def is_privileged(login: str, settings: AppAudit) -> bool:
    name = login.lower()
    return any(fnmatch.fnmatchcase(name, p.lower()) for p in settings.privileged_logins)


@dataclass
class Stats:
    """What the audit covered (kept per source, shown in the report's coverage section)."""

    accounts: int = 0
    hashes_tested: int = 0
    hashes_computed: int = 0
    limited: int = 0  # slow hashes tried against the head of the list only
    untestable: int = 0

    def row(self) -> dict[str, int]:
        return dict(vars(self))


def _days(delta: dt.timedelta) -> int:
    return int(delta.total_seconds() // 86400)


def _verifier(user: AppUser, settings: AppAudit) -> Verifier:
    return app_verifier(
        user.password_algo,
        user.password_salt,
        user.password_hash,
        position=settings.salt_position,
        pbkdf2_iterations=settings.pbkdf2_iterations,
    )


def password_findings(
    user: AppUser, source: str, settings: AppAudit, candidates: cand.CandidateSet, stats: Stats
) -> list[Finding]:
    """Weak password (critical for privileged logins), weak scheme, or why it could not be tested."""
    out = []
    try:
        verifier = _verifier(user, settings)
        result = try_candidates(verifier, user.login_name, candidates)
    except UnsupportedHash as exc:
        stats.untestable += 1
        return [
            Finding(
                source,
                "untestable",
                user.login_name,
                "warning",
                f"算法 algorithm {user.password_algo}: {exc}",
                "无法离线检测该口令：确认平台的散列方式并配置 security.app（salt_position、pbkdf2_iterations）。 "
                "Cannot test this hash offline: tell the audit how the platform hashes (docs/security-audit.md).",
            )
        ]
    if verifier.weakness:
        plain = verifier.scheme == "plaintext"
        out.append(
            Finding(
                source,
                "weak_hash",
                user.login_name,
                "critical" if plain else "warning",
                f"算法 algorithm {user.password_algo}: {verifier.weakness}",
                "口令散列算法过弱：让厂商改用加盐慢散列（PBKDF2/bcrypt/SM3 加盐迭代），用户下次修改口令时生效。 "
                "Weak password scheme: ask the vendor for a salted slow hash; it applies at the next password change.",
            )
        )
    stats.hashes_tested += 1
    stats.hashes_computed += result.tried
    stats.limited += int(result.limited)
    if result.weak:
        privileged = is_privileged(user.login_name, settings)
        out.append(
            Finding(
                source,
                "weak_password",
                user.login_name,
                "critical" if privileged else "warning",
                f"规则 rule: {cand.describe(result.rules)}"
                + ("; 特权账户 privileged account" if privileged else ""),
                "通知本人立即修改口令（不要在工单、邮件中写出口令），必要时由管理员重置并要求首次登录修改。 "
                "Have the user change it now (never write a password in a ticket or mail); "
                "reset it and force a change at next login if needed.",
            )
        )
    return out


def account_findings(user: AppUser, source: str, as_of: dt.datetime, settings: AppAudit) -> list[Finding]:
    """Locks, failed-login bursts, expiry, password age and dormancy (三.1(3))."""
    out = []
    login = user.login_name
    if user.locked:
        out.append(
            Finding(
                source,
                "locked",
                login,
                "warning",
                f"已锁定 locked; 连续登录失败 failed logins {user.failed_logins}",
                "核实本人身份后解锁或重置口令；若非本人操作，检查来源 IP 与日志。 "
                "Unlock or reset after checking the person's identity; if it was not them, look at the login sources.",
            )
        )
    elif user.failed_logins >= settings.failed_login_threshold:
        out.append(
            Finding(
                source,
                "failed_logins",
                login,
                "warning",
                f"连续登录失败 failed logins {user.failed_logins} ≥ {settings.failed_login_threshold}",
                "联系本人确认；若非本人操作，可能是口令猜测，检查来源并考虑临时锁定。 "
                "Ask the user; if it was not them it may be password guessing: check the sources, consider a lock.",
            )
        )
    if user.expires_at is not None:
        left = user.expires_at - as_of
        if left <= dt.timedelta(0):
            out.append(
                Finding(
                    source,
                    "expired",
                    login,
                    "warning",
                    f"已于 expired on {user.expires_at:%Y-%m-%d} 过期 ({_days(-left)} 天 days ago)",
                    "确认是否仍需要：不需要则停用/删除账户，需要则按流程续期。 "
                    "Still needed? Disable or remove the account, or renew it through the usual approval.",
                )
            )
        elif left <= dt.timedelta(days=settings.expiring_days):
            out.append(
                Finding(
                    source,
                    "expiring",
                    login,
                    "warning",
                    f"将于 expires on {user.expires_at:%Y-%m-%d} 过期 (剩 {_days(left)} 天 days left)",
                    "提前通知本人与科室，按流程续期或停用。 Tell the user and their department; renew or retire it in time.",
                )
            )
    if user.password_changed is not None and as_of - user.password_changed > dt.timedelta(
        days=settings.password_max_age_days
    ):
        out.append(
            Finding(
                source,
                "password_stale",
                login,
                settings.stale_severity,
                f"口令 {_days(as_of - user.password_changed)} 天未修改 password unchanged for "
                f"{_days(as_of - user.password_changed)} days (> {settings.password_max_age_days})",
                "提醒用户修改口令；建议在平台启用口令定期更换策略。 "
                "Remind the user to change it; enable periodic password change in the platform.",
            )
        )
    last = user.last_login_time
    if last is None or as_of - last > dt.timedelta(days=settings.dormant_days):
        out.append(
            Finding(
                source,
                "dormant",
                login,
                settings.dormant_severity,
                "从未登录 never logged in"
                if last is None
                else f"{_days(as_of - last)} 天未登录 no login for {_days(as_of - last)} days",
                "长期不用的账户应停用（等保要求及时删除或停用多余、过期账户）。 "
                "Disable accounts nobody uses (remove surplus and expired accounts).",
            )
        )
    return out


def assess(
    users: Iterable[AppUser],
    source: str,
    as_of: dt.datetime,
    settings: AppAudit,
    candidates: cand.CandidateSet,
) -> tuple[list[Finding], Stats]:
    stats = Stats()
    findings: list[Finding] = []
    for user in users:
        stats.accounts += 1
        findings += password_findings(user, source, settings, candidates, stats)
        findings += account_findings(user, source, as_of, settings)
    return findings, stats
