"""Settings of the security audit (section ``security`` of the YAML); defaults suit the sandbox."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from ebill_ops.config import Strict, common, section

Level = Literal["info", "warning", "critical"]


class WeakPasswordRules(Strict):
    """What "weak" means: a list file plus the patterns sites use (login name, site name + year)."""

    # The weak-password list: a path relative to include/ (or absolute); one password a line.
    list_file: str = "security/weak_passwords.txt"
    # Words of the site's name people build passwords from ("ebill@2024", "Hospital2025").
    site_words: list[str] = Field(
        default_factory=lambda: [
            "ebill",
            "hospital",
            "yiyuan",
            "yy",
            "his",
            "piaoju",
            "pj",
            "dzpj",
            "czpj",
            "caizheng",
        ]
    )
    # Years tried after a site word or a login name: the as-of year back to this many years before.
    years_back: int = Field(default=6, ge=0, le=30)
    # Suffixes tried after a login name ("cashier01" + "123").
    login_suffixes: list[str] = Field(
        default_factory=lambda: [
            "",
            "1",
            "12",
            "123",
            "1234",
            "12345",
            "123456",
            "111",
            "000",
            "666",
            "888",
            "520",
            "@123",
            "#123",
            "_123",
            "!",
            "@",
            "!@#",
            "123!",
            "@123456",
        ]
    )
    # Slow hashes (PBKDF2, SCRAM) are tested against only the first N candidates (the login-name
    # patterns first, then the list in its order): the list is sorted most common first.
    slow_hash_max_candidates: int = Field(default=300, ge=1)
    # ... and no more hash iterations than this per account (about 2 s of one core): a PBKDF2 of
    # 600,000 iterations gets 5 candidates, not 300 (100 s); a hash whose single candidate costs
    # more is reported untestable instead of stalling the run.
    slow_hash_max_work: int = Field(default=3_000_000, ge=1)


class AppAudit(Strict):
    """Application users of the bill platform (``ebill.app_user``)."""

    # Logins whose weak password is critical (fnmatch patterns, case-insensitive).
    privileged_logins: list[str] = Field(
        default_factory=lambda: [
            "admin",
            "admin*",
            "*admin",
            "root",
            "system",
            "administrator",
            "manager",
            "superuser",
        ]
    )
    failed_login_threshold: int = Field(default=5, ge=1)  # failed logins of an unlocked account
    expiring_days: int = Field(default=14, ge=0)  # "expires soon" window
    password_max_age_days: int = Field(default=90, ge=1)  # not changed for longer: stale
    stale_severity: Level = "info"
    dormant_days: int = Field(default=90, ge=1)  # no login for longer: dormant
    dormant_severity: Level = "info"
    # How the platform hashes: salt before (prefix) or after (suffix) the password.
    salt_position: Literal["prefix", "suffix"] = "prefix"
    # Iterations of password_algo=pbkdf2_sha256 when the hash does not carry them itself.
    pbkdf2_iterations: int = Field(default=10_000, ge=1)


class DatabaseAudit(Strict):
    """Database accounts and password policy, per database connection."""

    # Connections audited (empty: common.connections.ebill_db). Oracle needs SELECT_CATALOG_ROLE
    # (DBA_USERS, DBA_PROFILES, DBA_USERS_WITH_DEFPWD); PostgreSQL reads pg_roles and pg_settings,
    # and pg_hba_file_rules / pg_shadow when the account may (docs/security-audit.md).
    conn_ids: list[str] = Field(default_factory=list)
    # Privileged accounts that are expected (listed as info, not as a warning). Case-insensitive.
    privileged_allowlist: list[str] = Field(default_factory=lambda: ["postgres", "SYS", "SYSTEM"])
    max_password_life_days: int = Field(default=180, ge=1)
    max_failed_login_attempts: int = Field(default=10, ge=1)
    expiring_days: int = Field(default=14, ge=0)
    statement_timeout_seconds: int = Field(default=60, ge=1)


class AcceptedRisk(Strict):
    """A finding the site has decided to live with: reported as info with the reason, not alerted."""

    key: str  # fnmatch pattern over "<source>:<rule>:<target>", e.g. "db:ebill_db:password_verify_function:*"
    reason: str
    until: dt.date | None = None  # after this day the finding counts again


class SecuritySettings(Strict):
    weak: WeakPasswordRules = Field(default_factory=WeakPasswordRules)
    app: AppAudit = Field(default_factory=AppAudit)
    database: DatabaseAudit = Field(default_factory=DatabaseAudit)
    accepted: list[AcceptedRisk] = Field(default_factory=list)
    # "changes": mail only when a finding opens, gets worse or clears; "always": every run.
    mail_when: Literal["changes", "always"] = "changes"
    # A run whose window ended longer ago than this is a backfill of a past week: account state
    # is live, so nothing is re-audited; the stored report of that week is rendered again.
    live_days: int = Field(default=8, ge=1)


def security_settings() -> SecuritySettings:
    return section("security", SecuritySettings)


def database_conn_ids(settings: SecuritySettings | None = None) -> list[str]:
    """The databases audited (one mapped task each): ``security.database.conn_ids``, else ebill_db."""
    settings = settings or security_settings()
    return list(settings.database.conn_ids) or [common().connections.ebill_db]
