"""The database checks in order, each a query and an assessor; a query the account may not run
becomes a coverage finding (what was not checked, what to grant), never a crash."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ebill_ops.security.db_accounts import Context, Rows, accounts, default_passwords, password_hashes
from ebill_ops.security.db_policy import auth_settings, hba_rules, profiles
from ebill_ops.security.findings import Finding

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Check:
    name: str
    query: str
    assess: Callable[[Rows, Context], list[Finding]]
    # What to grant when the account may not run the query (both dialects).
    grant: str


CHECKS: tuple[Check, ...] = (
    Check(
        "accounts",
        "security/db_accounts",
        accounts,
        "Oracle: SELECT_CATALOG_ROLE (DBA_USERS, DBA_ROLE_PRIVS, DBA_SYS_PRIVS); PostgreSQL: pg_roles is public",
    ),
    Check(
        "default_passwords",
        "security/db_default_passwords",
        default_passwords,
        "Oracle: GRANT SELECT ON SYS.DBA_USERS_WITH_DEFPWD TO <audit account>",
    ),
    Check(
        "profiles",
        "security/db_profiles",
        profiles,
        "Oracle: SELECT_CATALOG_ROLE (DBA_PROFILES); PostgreSQL: pg_settings is public",
    ),
    Check(
        "auth_settings",
        "security/db_auth_settings",
        auth_settings,
        "Oracle: SELECT_CATALOG_ROLE (V$PARAMETER); PostgreSQL: pg_settings is public",
    ),
    Check(
        "hba_rules",
        "security/db_hba_rules",
        hba_rules,
        "PostgreSQL: GRANT SELECT ON pg_catalog.pg_hba_file_rules TO <audit role>; "
        "GRANT EXECUTE ON FUNCTION pg_catalog.pg_hba_file_rules() TO <audit role>",
    ),
    Check(
        "password_hashes",
        "security/db_password_hashes",
        password_hashes,
        "PostgreSQL: run with an account allowed to read pg_shadow (superuser, or "
        "GRANT SELECT ON pg_catalog.pg_shadow TO <audit role>) — or accept the gap",
    ),
)

# Privilege errors: PostgreSQL SQLSTATE 42501; Oracle ORA-00942 (what a missing grant looks like)
# and ORA-01031.
PRIVILEGE_MARKERS = ("42501", "permission denied", "ORA-00942", "ORA-01031")


def is_privilege_error(exc: BaseException) -> bool:
    sqlstate = getattr(exc, "sqlstate", None)
    text = f"{sqlstate or ''} {exc}"
    return any(marker.lower() in text.lower() for marker in PRIVILEGE_MARKERS)


def coverage_finding(check: Check, exc: BaseException, ctx: Context) -> Finding:
    """A query the account could not run: what was not checked and what to grant."""
    message = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:300]
    if is_privilege_error(exc):
        return ctx.f(
            "not_readable",
            check.name,
            "warning",
            f"审计账户无权读取，未检查 not checked, the audit account may not read it: {message}",
            f"授权或接受此缺口 grant it or accept the gap: {check.grant}",
        )
    return ctx.f(
        "check_failed",
        check.name,
        "warning",
        f"检查失败，未检查 not checked: {message}",
        "查看任务日志；确认数据库版本支持该视图。 See the task log; check the view exists in this database version.",
    )


def run_checks(db: Any, ctx: Context, checks: tuple[Check, ...] = CHECKS) -> list[Finding]:
    """Every check on an open read-only connection; a failing query is a finding, the rest go on."""
    findings: list[Finding] = []
    for check in checks:
        try:
            rows = db.rows(check.query)
        except Exception as exc:
            db.rollback_quietly()  # on Oracle this also begins the next read-only transaction
            log.warning("security check %s on %s not run: %s", check.name, ctx.source, type(exc).__name__)
            findings.append(coverage_finding(check, exc, ctx))
            continue
        findings.extend(check.assess(rows, ctx))
    return findings
