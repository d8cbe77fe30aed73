"""Password policy of a database: profile limits (Oracle ``DBA_PROFILES``, their PostgreSQL-family
equivalents), authentication parameters and ``pg_hba.conf`` rules."""

from __future__ import annotations

from ebill_ops.security.db_accounts import Context, Rows
from ebill_ops.security.findings import Finding

UNLIMITED = frozenset({"", "UNLIMITED", "NULL", "NONE", "0", "OFF", "FALSE"})


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def profiles(rows: Rows, ctx: Context) -> list[Finding]:
    """PASSWORD_LIFE_TIME, FAILED_LOGIN_ATTEMPTS, PASSWORD_VERIFY_FUNCTION of the profiles in use."""
    s = ctx.settings
    oracle = ctx.dialect == "oracle"
    out = []
    for r in rows:
        profile, resource = str(r["profile"]), str(r["resource_name"]).upper()
        raw = "" if r.get("limit_value") is None else str(r["limit_value"]).strip()
        value = raw.upper()
        target = f"{profile}:{resource}"
        if resource == "PASSWORD_LIFE_TIME":
            days = _number(raw)
            if value in UNLIMITED or days is None or days > s.max_password_life_days:
                out.append(
                    ctx.f(
                        "password_life_time",
                        target,
                        "warning",
                        f"口令有效期 password lifetime {raw or 'UNLIMITED'} (要求 ≤ {s.max_password_life_days} 天 days)",
                        (
                            f"ALTER PROFILE {profile} LIMIT PASSWORD_LIFE_TIME {s.max_password_life_days}; 应用账户可用单独 profile。"
                            " Application accounts may use their own profile."
                            if oracle
                            else "PostgreSQL 无内置口令有效期：用 VALID UNTIL 或 credcheck 扩展（openGauss: password_effect_time）。 "
                            "PostgreSQL has no password lifetime: use VALID UNTIL or the credcheck extension."
                        ),
                    )
                )
        elif resource == "FAILED_LOGIN_ATTEMPTS":
            attempts = _number(raw)
            if value in UNLIMITED or attempts is None or attempts > s.max_failed_login_attempts:
                out.append(
                    ctx.f(
                        "failed_login_attempts",
                        target,
                        "warning",
                        f"登录失败锁定 lockout after {raw or 'UNLIMITED'} failed logins (要求 ≤ {s.max_failed_login_attempts})",
                        (
                            f"ALTER PROFILE {profile} LIMIT FAILED_LOGIN_ATTEMPTS {s.max_failed_login_attempts};"
                            if oracle
                            else "PostgreSQL 无内置失败锁定：用 credcheck（max_auth_failure）或 auth_delay + fail2ban（openGauss: failed_login_attempts）。 "
                            "PostgreSQL has no lockout: use credcheck or auth_delay with fail2ban."
                        ),
                    )
                )
        elif resource == "PASSWORD_VERIFY_FUNCTION" and value in UNLIMITED:
            out.append(
                ctx.f(
                    "password_verify_function",
                    target,
                    "warning",
                    "未设置口令复杂度校验 no password complexity check",
                    (
                        f"ALTER PROFILE {profile} LIMIT PASSWORD_VERIFY_FUNCTION ORA12C_VERIFY_FUNCTION;"
                        if oracle
                        else "加载 passwordcheck 或 credcheck 扩展（openGauss: password_policy=1）。 "
                        "Load the passwordcheck or credcheck extension."
                    ),
                )
            )
    return out


def auth_settings(rows: Rows, ctx: Context) -> list[Finding]:
    """Server parameters that weaken authentication."""
    out = []
    for r in rows:
        name = str(r["name"]).lower()
        value = "" if r.get("setting") is None else str(r["setting"]).strip()
        if name == "password_encryption" and value.lower() == "md5":
            out.append(
                ctx.f(
                    "auth_setting",
                    name,
                    "warning",
                    "password_encryption = md5: 新口令以 MD5 保存 new passwords are stored as MD5",
                    "设置 password_encryption = 'scram-sha-256'，再让各账户重设口令；pg_hba 改用 scram-sha-256。 "
                    "Set password_encryption to scram-sha-256, then reset each password; use scram-sha-256 in pg_hba.conf.",
                )
            )
        elif name == "password_encryption_type" and value in ("0", "1"):
            out.append(
                ctx.f(
                    "auth_setting",
                    name,
                    "warning",
                    f"password_encryption_type = {value}: 仍保存 MD5 口令 still stores MD5 verifiers",
                    "openGauss: 设为 2（sha256）或 3（sm3）后重设口令。 Set it to 2 (sha256) or 3 (sm3), then reset passwords.",
                )
            )
        elif name == "remote_os_authent" and value.upper() == "TRUE":
            out.append(
                ctx.f(
                    "auth_setting",
                    name,
                    "critical",
                    "remote_os_authent = TRUE: 远程操作系统认证，无需口令 remote OS authentication without a password",
                    "ALTER SYSTEM SET remote_os_authent = FALSE SCOPE = SPFILE; 并重启。 and restart.",
                )
            )
        elif name == "sec_case_sensitive_logon" and value.upper() == "FALSE":
            out.append(
                ctx.f(
                    "auth_setting",
                    name,
                    "warning",
                    "sec_case_sensitive_logon = FALSE: 口令不区分大小写 passwords are case-insensitive",
                    "ALTER SYSTEM SET sec_case_sensitive_logon = TRUE;（12c 起已废弃，默认即为 TRUE）",
                )
            )
    return out


def hba_rules(rows: Rows, ctx: Context) -> list[Finding]:
    """pg_hba.conf: who may log in without a password (trust) or send it in clear (password)."""
    out = []
    for r in rows:
        target = f"pg_hba.conf:{r.get('line_number')}"
        line = " ".join(
            str(x)
            for x in (
                r.get("conn_type"),
                r.get("databases"),
                r.get("users"),
                r.get("address"),
                r.get("auth_method"),
            )
            if x
        )
        if r.get("error"):
            out.append(
                ctx.f(
                    "auth_rule",
                    target,
                    "warning",
                    f"无效的规则 invalid line: {r['error']}",
                    "修正 pg_hba.conf 后 pg_reload_conf()。 Fix the line, then reload.",
                )
            )
            continue
        method = str(r.get("auth_method") or "").lower()
        local = str(r.get("conn_type") or "").lower() == "local"
        if method == "trust":
            out.append(
                ctx.f(
                    "auth_rule",
                    target,
                    "warning" if local else "critical",
                    f"{line}: 无需口令即可登录 login without a password"
                    + ("（本机套接字 local socket）" if local else "（网络 over the network）"),
                    "改为 scram-sha-256（本机可用 peer）后 SELECT pg_reload_conf()。 "
                    "Use scram-sha-256 (peer for local sockets), then reload.",
                )
            )
        elif method == "password":
            out.append(
                ctx.f(
                    "auth_rule",
                    target,
                    "warning",
                    f"{line}: 口令明文传输 password sent in clear text",
                    "改为 scram-sha-256。 Use scram-sha-256.",
                )
            )
        elif method == "md5":
            out.append(
                ctx.f(
                    "auth_rule",
                    target,
                    "info",
                    f"{line}: md5 方法 md5 method (accepts MD5 verifiers)",
                    "所有口令改为 SCRAM 后将方法改为 scram-sha-256。 Once every password is SCRAM, switch the method to scram-sha-256.",
                )
            )
    return out
