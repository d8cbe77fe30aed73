"""Security audit on the real sandbox PostgreSQL: application users against the generator's ground
truth (both directions), a privileged weak password, database roles with and without the
privileges to read pg_shadow / pg_hba_file_rules."""

from __future__ import annotations

import datetime as dt
import secrets

import psycopg
import pytest

from ebill_ops import db
from ebill_ops.intervals import day_window
from ebill_ops.security import run, store

pytestmark = pytest.mark.integration

TEST_ROLES = ("sec_weak_md5", "sec_weak_super", "sec_nopass", "sec_expired", "sec_strong")


@pytest.fixture
def today_audit():
    return run.audit_of(day_window(dt.date.today()))


def _rows(source: str, audit) -> list[dict]:
    with db.connect("ebops_db") as ops:
        return ops.rows_sql(
            "SELECT rule, target, severity, detail, advice FROM ebops.security_finding "
            "WHERE audit_week = %(w)s AND source = %(s)s",
            {"w": audit.audit_week, "s": source},
        )


def test_application_users_match_the_ground_truth_both_ways(sandbox, manifest, today_audit):
    summary = run.audit_app_users(today_audit, "test-app-users")
    assert summary["accounts"] == 30 and summary["hashes_tested"] == 30
    rows = _rows("app:ebill_db", today_audit)
    flagged = {u["login_name"] for u in manifest["users"]}
    for kind in ("weak_password", "locked", "expired"):
        expected = {u["login_name"] for u in manifest["users"] if u["kind"] == kind}
        found = {r["target"] for r in rows if r["rule"] == kind}
        assert expected and found == expected, kind
    # No clean user gets anything that needs a person (info such as an old password is allowed).
    assert not [r for r in rows if r["target"] not in flagged and r["severity"] != "info"]
    with psycopg.connect(sandbox.admin_dsn("bill")) as conn:
        users = conn.execute(
            "SELECT login_name, password_algo, password_changed, failed_logins, locked FROM ebill.app_user"
        ).fetchall()
    md5 = {login for login, algo, *_ in users if algo == "md5"}
    assert {r["target"] for r in rows if r["rule"] == "weak_hash"} == md5
    stale = {login for login, _, changed, *_ in users if today_audit.as_of - changed > dt.timedelta(days=90)}
    assert {r["target"] for r in rows if r["rule"] == "password_stale"} == stale
    weak = {r["target"]: r["severity"] for r in rows if r["rule"] == "weak_password"}
    assert weak.pop("admin") == "critical"  # privileged
    assert set(weak.values()) == {"warning"}
    assert all(
        "rule:" in r["detail"] and "123" not in r["detail"] for r in rows if r["rule"] == "weak_password"
    )
    # A re-run of the week replaces the rows.
    run.audit_app_users(today_audit, "test-app-users-2")
    again = _rows("app:ebill_db", today_audit)
    assert sorted((r["rule"], r["target"]) for r in again) == sorted((r["rule"], r["target"]) for r in rows)


def test_a_weak_password_of_a_privileged_login_is_critical(sandbox, manifest, today_audit):
    import hashlib
    import secrets

    assert {"login_name": "admin", "kind": "weak_password"} in manifest["users"]
    run.audit_app_users(today_audit, "test-admin")
    [row] = [
        r
        for r in _rows("app:ebill_db", today_audit)
        if r["target"] == "admin" and r["rule"] == "weak_password"
    ]
    assert (
        row["severity"] == "critical"
        and "weak-password list" in row["detail"]
        and "privileged" in row["detail"]
    )
    # A strong password clears it.
    with psycopg.connect(sandbox.admin_dsn("bill"), autocommit=True) as conn:
        algo, salt, old = conn.execute(
            "SELECT password_algo, password_salt, password_hash FROM ebill.app_user WHERE login_name = 'admin'"
        ).fetchone()
        strong = hashlib.new(algo, (salt + secrets.token_urlsafe(16)).encode()).hexdigest()
        conn.execute("UPDATE ebill.app_user SET password_hash = %s WHERE login_name = 'admin'", (strong,))
        try:
            run.audit_app_users(today_audit, "test-admin-strong")
        finally:
            conn.execute("UPDATE ebill.app_user SET password_hash = %s WHERE login_name = 'admin'", (old,))
    assert not [
        r for r in _rows("app:ebill_db", today_audit) if r["target"] == "admin" and r["severity"] != "info"
    ]


def test_database_audit_without_privileges_reports_what_it_could_not_read(sandbox, manifest, today_audit):
    """ebill_ro (pg_monitor) may read neither pg_hba_file_rules nor pg_shadow: two findings, no crash."""
    summary = run.audit_database("ebill_db", today_audit, "test-db-ro")
    rows = {(r["rule"], r["target"]): r for r in _rows("db:ebill_db", today_audit)}
    assert rows[("not_readable", "hba_rules")]["severity"] == "warning"
    assert "pg_hba_file_rules" in rows[("not_readable", "hba_rules")]["advice"]
    assert "pg_shadow" in rows[("not_readable", "password_hashes")]["advice"]
    assert rows[("privileged", "postgres")]["severity"] == "info"  # the allowlisted superuser
    assert {
        t for (rule, t) in rows if rule.startswith(("password_life", "failed_login_att", "password_verify"))
    } == {
        "CLUSTER:PASSWORD_LIFE_TIME",
        "CLUSTER:FAILED_LOGIN_ATTEMPTS",
        "CLUSTER:PASSWORD_VERIFY_FUNCTION",
    }
    assert not [k for k in rows if k[0] in ("weak_password", "no_password", "auth_rule")]
    assert summary["accounts"] >= 6


@pytest.fixture
def test_roles(sandbox):
    strong = secrets.token_urlsafe(18)
    with psycopg.connect(sandbox.admin_dsn("bill"), autocommit=True) as conn:
        for role in TEST_ROLES:
            conn.execute(f"DROP ROLE IF EXISTS {role}")
        conn.execute("SET password_encryption = 'md5'")
        conn.execute("CREATE ROLE sec_weak_md5 LOGIN PASSWORD '123456'")
        conn.execute("SET password_encryption = 'scram-sha-256'")
        conn.execute("CREATE ROLE sec_weak_super SUPERUSER LOGIN PASSWORD 'admin123'")
        conn.execute("CREATE ROLE sec_nopass LOGIN")
        conn.execute(f"CREATE ROLE sec_expired LOGIN PASSWORD '{strong}' VALID UNTIL '2020-01-01'")
        conn.execute(f"CREATE ROLE sec_strong LOGIN PASSWORD '{strong}'")
    yield strong
    with psycopg.connect(sandbox.admin_dsn("bill"), autocommit=True) as conn:
        for role in TEST_ROLES:
            conn.execute(f"DROP ROLE IF EXISTS {role}")


def test_database_audit_with_privileges_finds_weak_passwordless_and_expired_roles(
    sandbox, manifest, today_audit, test_roles
):
    summary = run.audit_database("ebill_dba", today_audit, "test-db-dba")
    rows = _rows("db:ebill_dba", today_audit)
    got = {(r["rule"], r["target"]): r["severity"] for r in rows}
    assert got[("weak_password", "sec_weak_md5")] == "warning"
    assert got[("weak_hash", "sec_weak_md5")] == "warning"
    assert got[("weak_password", "sec_weak_super")] == "critical"  # SCRAM, tested offline, privileged
    assert got[("privileged", "sec_weak_super")] == "warning"  # not in the allowlist
    assert got[("no_password", "sec_nopass")] == "warning"
    assert got[("no_password", "postgres")] == "info"
    assert got[("expired", "sec_expired")] == "warning"
    assert not [k for k in got if k[1] == "sec_strong"]
    assert {t for rule, t in got if rule == "weak_password"} == {"sec_weak_md5", "sec_weak_super"}
    # initdb --auth-local=trust: the local socket lets anyone in without a password.
    assert [s for (rule, t), s in got.items() if rule == "auth_rule"] and all(
        s == "warning" for (rule, t), s in got.items() if rule == "auth_rule"
    )
    assert not [k for k in got if k[0] in ("not_readable", "check_failed")]
    with psycopg.connect(sandbox.admin_dsn("bill")) as conn:
        stored = [
            h for (h,) in conn.execute("SELECT passwd FROM pg_shadow WHERE passwd IS NOT NULL").fetchall()
        ]
    assert summary["hashes_tested"] == len(stored)  # every role with a password, offline
    text = repr(rows)
    for secret in ("123456", "admin123", test_roles, *stored):
        assert secret not in text


def _security_mails(sandbox) -> list:
    from sandbox import smtp_sink

    return [m for m in smtp_sink.messages(sandbox) if run.DAG_ID in str(m["Subject"])]


def _forget_app_incidents() -> None:
    with db.connect("ebops_db", read_only=False) as ops:
        ops.execute_sql("DELETE FROM ebops.alert_incident WHERE alert_key LIKE 'security:app:%%'")


def test_a_mail_that_fails_is_sent_by_the_retry(sandbox, manifest, today_audit, smtp_down):
    """The incidents are recorded with the mail, not before it: when SMTP is down the report task
    fails, and its retry still mails the new findings (they are not 'ongoing' yet)."""
    from sandbox import smtp_sink

    _forget_app_incidents()
    run.audit_app_users(today_audit, "test-mail-retry")
    smtp_sink.clear(sandbox)
    with smtp_down(), pytest.raises(OSError):
        run.finish(today_audit, "test-mail-retry")
    retried = run.finish(today_audit, "test-mail-retry")
    try:
        assert retried["new"] > 0 and retried["mailed_to"]
        [mail] = _security_mails(sandbox)
        assert "CRITICAL" in mail["Subject"]
        # Nothing changed since: no mail, unless asked for the report (the trigger form's mail_report).
        assert run.finish(today_audit, "test-mail-retry")["mailed_to"] == []
        asked = run.finish(today_audit, "test-mail-retry", force_mail=True)
        assert asked["new"] == 0 and asked["mailed_to"]
        assert len(_security_mails(sandbox)) == 2 and "REPORT" in _security_mails(sandbox)[-1]["Subject"]
    finally:
        _forget_app_incidents()


def test_audit_times_are_the_sites_local_time(sandbox, manifest, today_audit):
    """The report shows when each source was audited beside the as-of time, both local (a worker
    container runs in UTC; the hospital reads Asia/Shanghai)."""
    import pendulum

    from ebill_ops.config import common

    run.audit_app_users(today_audit, "test-local-time")
    with db.connect("ebops_db") as ops:
        [source] = [
            s for s in store.week_sources(ops, today_audit.audit_week) if s["source"] == "app:ebill_db"
        ]
    local = pendulum.now(common().timezone).naive()
    assert abs(source["audited_at"] - local) < dt.timedelta(hours=1)
