"""Security audit, pure parts: candidates, hash schemes, the offline test, the assessors, the report."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os

import pytest

from ebill_ops.security import app_users, candidates, db_accounts, db_checks, db_policy, offline, verifiers
from ebill_ops.security.findings import Finding, accept
from ebill_ops.security.settings import (
    AcceptedRisk,
    AppAudit,
    DatabaseAudit,
    SecuritySettings,
    WeakPasswordRules,
)

AS_OF = dt.datetime(2026, 12, 7, 7, 0)
SITE = "Sandbox People's Hospital 沙箱人民医院"


@pytest.fixture(scope="module")
def shared():
    return candidates.build(WeakPasswordRules(), as_of_year=AS_OF.year, site_name=SITE)


def _salted(algo: str, salt: str, password: str) -> str:
    return hashlib.new(algo, (salt + password).encode()).hexdigest()


def _scram(password: str, salt: bytes, iterations: int = 4096) -> str:
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client = hmac.digest(salted, b"Client Key", "sha256")
    server = hmac.digest(salted, b"Server Key", "sha256")
    b64 = lambda b: base64.b64encode(b).decode()  # noqa: E731
    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(hashlib.sha256(client).digest())}:{b64(server)}"


# --- candidates ---------------------------------------------------------------------------------


def test_weak_list_file_rules(tmp_path):
    path = tmp_path / "weak.txt"
    path.write_text("# comment\n\n123456\n\\#hash1\nadmin123\n123456\n", encoding="utf-8")
    assert candidates.read_weak_list(path) == ["123456", "#hash1", "admin123"]  # order kept, deduped
    with pytest.raises(candidates.WeakListError, match="not found"):
        candidates.read_weak_list(tmp_path / "missing.txt")
    (tmp_path / "empty.txt").write_text("# only a comment\n", encoding="utf-8")
    with pytest.raises(candidates.WeakListError, match="no password"):
        candidates.read_weak_list(tmp_path / "empty.txt")
    (tmp_path / "latin1.txt").write_bytes("pässword\n".encode("latin-1"))
    with pytest.raises(candidates.WeakListError, match="not UTF-8"):
        candidates.read_weak_list(tmp_path / "latin1.txt")


def test_shipped_list_has_the_usual_chinese_weak_passwords(shared):
    listed = candidates.read_weak_list(candidates.list_path(WeakPasswordRules()))
    assert len(listed) > 300
    for password in ("123456", "admin123", "password", "Aa123456", "5201314", "1qaz2wsx", "woaini1314"):
        assert password in listed
    assert listed.index("123456") < 5  # most common first: slow hashes try the head only
    assert shared.list_size == len(listed) and "admin123" not in repr(shared)


def test_pattern_rules(shared):
    own = shared.for_login("cashier07")
    assert own[b"cashier07"] == {"equals_login"}
    assert "login_digits" in own[b"cashier07123"] and "login_digits" in own[b"Cashier07@2026"]
    assert shared.shared_rules(b"ebill@2024") == {"site_year"}
    assert shared.shared_rules(b"Hospital2025") == {"site_year"}  # from the site's name too
    assert shared.shared_rules(b"sandbox@123") == {"site_year"}
    assert shared.shared_rules(b"") == {"empty"}
    assert shared.shared_rules(b"ebill@2015") == frozenset()  # outside years_back


# --- verifiers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("algo", ["md5", "sha1", "sha256", "sha512", "sm3"])
def test_salted_digests_match_only_their_password(algo):
    salt = "a1b2c3d4e5f6a7b8"
    v = verifiers.app_verifier(algo.upper(), salt, _salted(algo, salt, "S3cret!x").upper())
    assert v.matches(b"S3cret!x") and not v.matches(b"S3cret!y")
    assert salt not in repr(v) and _salted(algo, salt, "S3cret!x") not in repr(v)
    assert bool(v.weakness) == (algo in ("md5", "sha1"))


def test_suffix_salt_unsalted_pbkdf2_plain_and_unsupported():
    suffix = verifiers.app_verifier(
        "sha256", "NaCl", hashlib.sha256(b"pw1NaCl").hexdigest(), position="suffix"
    )
    assert suffix.matches(b"pw1") and not suffix.matches(b"NaClpw1")
    unsalted = verifiers.app_verifier("sha256", "", hashlib.sha256(b"pw1").hexdigest())
    assert "unsalted" in unsalted.weakness
    raw = hashlib.pbkdf2_hmac("sha256", b"pw1", b"salt", 1000)
    hexed = verifiers.app_verifier("pbkdf2_sha256", "salt", raw.hex(), pbkdf2_iterations=1000)
    django = verifiers.app_verifier(
        "pbkdf2_sha256", "", f"pbkdf2_sha256$1000$salt${base64.b64encode(raw).decode()}"
    )
    assert hexed.slow and hexed.matches(b"pw1") and django.matches(b"pw1") and not django.matches(b"pw2")
    plain = verifiers.app_verifier("plain", "", "pw1")
    assert plain.matches(b"pw1") and "plain" in plain.weakness
    for algo, stored, message in [
        ("sha256", "zz", "not hexadecimal"),
        ("sha256", "abcd", "has 2 bytes"),
        ("bcrypt", "$2b$12$abcdefghijklmnopqrstuv", "bcrypt"),
        ("whirlpool9", "00", "unknown password algorithm"),
        ("pbkdf2_sha256", "pbkdf2_sha256$x$s$h", "expected"),
    ]:
        with pytest.raises(verifiers.UnsupportedHash, match=message) as err:
            verifiers.app_verifier(algo, "s", stored)
        assert stored not in str(err.value) or len(stored) <= 2


def test_postgres_md5_and_scram():
    md5 = "md5" + hashlib.md5(b"123456" + b"appuser").hexdigest()
    v = verifiers.pg_verifier("appuser", md5)
    assert v.matches(b"123456") and not v.matches(b"1234567") and "MD5" in v.weakness
    scram = verifiers.pg_verifier("dba", _scram("admin123", os.urandom(16)))
    assert scram.slow and scram.matches(b"admin123") and not scram.matches(b"admin1234")
    assert verifiers.pg_verifier("nopass", None) is None
    with pytest.raises(verifiers.UnsupportedHash):
        verifiers.pg_verifier("x", "SCRAM-SHA-256$bad")


# --- offline test -------------------------------------------------------------------------------


def test_offline_test_reports_rules_and_respects_the_slow_budget(shared):
    weak = verifiers.app_verifier("sha256", "s1", _salted("sha256", "s1", "Aa123456"))
    result = offline.try_candidates(weak, "cashier01", shared)
    assert result.weak and result.rules == {"weak_list"} and not result.limited
    strong = verifiers.app_verifier("sha256", "s1", _salted("sha256", "s1", "k8#Lq2!vR9zT"))
    result = offline.try_candidates(strong, "cashier01", shared)
    assert not result.weak and result.tried == len(shared.shared) + len(shared.for_login("cashier01"))
    rules = WeakPasswordRules(slow_hash_max_candidates=40)
    small = candidates.build(rules, as_of_year=2026)
    late = small.shared[-1][0].decode()  # a site pattern at the end of the order
    slow = verifiers.pg_verifier("r", _scram(late, b"0123456789abcdef", 64))
    result = offline.try_candidates(slow, "r", small)
    assert not result.weak and result.limited and result.tried == 40
    early = verifiers.pg_verifier("r", _scram("r", b"0123456789abcdef", 64))  # equals the login
    assert offline.try_candidates(early, "r", small).rules == {"equals_login"}


# --- application users --------------------------------------------------------------------------


def _user(login: str, password: str, **kw) -> app_users.AppUser:
    salt = kw.pop("salt", "0011223344556677")
    algo = kw.pop("algo", "sha256")
    base = dict(
        login_name=login,
        display_name="用户",
        place_code="P01",
        password_algo=algo,
        locked=False,
        failed_logins=0,
        last_login_time=AS_OF - dt.timedelta(days=1),
        password_changed=AS_OF - dt.timedelta(days=30),
        expires_at=AS_OF + dt.timedelta(days=180),
        password_salt=salt,
    )
    base.update(kw)
    if "password_hash" not in base:
        base["password_hash"] = _salted(algo, salt, password)
    return app_users.AppUser(**base)


def test_application_user_rules(shared):
    strong = "k8#Lq2!vR9zT"
    users = [
        _user("admin", "admin@2026"),  # privileged + login + year
        _user("cashier01", "Aa123456", algo="md5"),
        _user("cashier02", "cashier02"),
        _user("cashier03", strong, locked=True, failed_logins=6),
        _user("cashier04", strong, failed_logins=7),
        _user("cashier05", strong, expires_at=AS_OF - dt.timedelta(days=3)),
        _user("cashier06", strong, expires_at=AS_OF + dt.timedelta(days=5)),
        _user("cashier07", strong, password_changed=AS_OF - dt.timedelta(days=200)),
        _user("cashier08", strong, last_login_time=None),
        _user("cashier09", strong, algo="bcrypt", password_hash="$2b$12$x"),
        _user("cashier10", strong),
    ]
    findings, stats = app_users.assess(users, "app:ebill_db", AS_OF, AppAudit(), shared)
    got = {(f.target, f.rule): f for f in findings}
    assert got[("admin", "weak_password")].severity == "critical"
    assert "login name + digits" in got[("admin", "weak_password")].detail
    assert got[("cashier01", "weak_password")].severity == "warning"
    assert "weak-password list" in got[("cashier01", "weak_password")].detail
    assert got[("cashier01", "weak_hash")].severity == "warning"
    assert "equals the login name" in got[("cashier02", "weak_password")].detail
    assert got[("cashier03", "locked")].severity == "warning"
    assert ("cashier03", "failed_logins") not in got  # the lock already says it
    assert got[("cashier04", "failed_logins")].severity == "warning"
    assert ("cashier05", "expired") in got and ("cashier06", "expiring") in got
    assert got[("cashier07", "password_stale")].severity == "info"
    assert got[("cashier08", "dormant")].detail.startswith("从未登录")
    assert got[("cashier09", "untestable")].severity == "warning"
    assert not [k for k in got if k[0] == "cashier10"]
    assert stats.accounts == 11 and stats.hashes_tested == 10 and stats.untestable == 1
    everything = repr(findings) + repr(users)
    for secret in ("admin@2026", "Aa123456", strong, users[0].password_hash, users[0].password_salt):
        assert secret not in everything


def test_accepted_risks_become_info_until_their_date():
    f = Finding(
        "db:ebill_db", "password_verify_function", "CLUSTER:PASSWORD_VERIFY_FUNCTION", "warning", "d", "a"
    )
    rule = AcceptedRisk(
        key="db:*:password_verify_function:*", reason="PG 无扩展 no extension", until=dt.date(2026, 12, 31)
    )
    [kept] = accept([f], [rule], dt.date(2026, 12, 7))
    assert kept.severity == "info" and kept.accepted.startswith("PG") and not kept.actionable
    assert accept([f], [rule], dt.date(2027, 1, 1))[0].severity == "warning"


# --- databases ----------------------------------------------------------------------------------


def _ctx(dialect: str, shared=None) -> db_accounts.Context:
    return db_accounts.Context("db:ebill_db", dialect, AS_OF, DatabaseAudit(), shared)


def _account(username: str, **kw) -> dict:
    """A row of security/db_accounts: an open, ordinary account unless told otherwise."""
    row = dict(
        username=username,
        account_status="OPEN",
        can_login=1,
        admin_roles=None,
        admin_privileges=None,
        expiry_date=None,
        lock_date=None,
        profile="APP",
        password_versions="11G 12C",
        system_account=0,
    )
    return {**row, **kw}


def test_oracle_rows():
    ctx = _ctx("oracle")
    accounts = [
        _account("SYS", admin_roles="DBA", profile="DEFAULT", system_account=1),
        _account(
            "EBILL", admin_roles="DBA", expiry_date=AS_OF + dt.timedelta(days=5), password_versions="10G"
        ),
        _account("OPS", account_status="LOCKED(TIMED)", lock_date=AS_OF, password_versions="12C"),
        _account(
            "OLDAPP",
            account_status="EXPIRED & LOCKED",
            expiry_date=AS_OF - dt.timedelta(days=30),
            lock_date=AS_OF,
        ),
        _account(
            "DBSNMP",
            account_status="EXPIRED & LOCKED",
            profile="DEFAULT",
            password_versions="",
            system_account=1,
        ),
    ]
    got = {(f.target, f.rule): f.severity for f in db_accounts.accounts(accounts, ctx)}
    assert got[("SYS", "privileged")] == "info" and got[("EBILL", "privileged")] == "warning"
    assert got[("EBILL", "weak_hash")] == "warning" and got[("EBILL", "expiring")] == "warning"
    assert got[("OPS", "failed_logins")] == "warning" and got[("OLDAPP", "expired")] == "warning"
    assert got[("OLDAPP", "locked")] == "info" and not [k for k in got if k[0] == "DBSNMP"]
    defaults = db_accounts.default_passwords(
        [
            {"username": "SCOTT", "account_status": "OPEN"},
            {"username": "OUTLN", "account_status": "EXPIRED & LOCKED"},
        ],
        ctx,
    )
    assert [(f.target, f.severity) for f in defaults] == [("SCOTT", "critical"), ("OUTLN", "warning")]
    profiles = db_policy.profiles(
        [
            {"profile": "APP", "resource_name": "PASSWORD_LIFE_TIME", "limit_value": "UNLIMITED"},
            {"profile": "APP", "resource_name": "FAILED_LOGIN_ATTEMPTS", "limit_value": "5"},
            {"profile": "APP", "resource_name": "PASSWORD_VERIFY_FUNCTION", "limit_value": "NULL"},
            {"profile": "DEFAULT", "resource_name": "PASSWORD_LIFE_TIME", "limit_value": "180"},
            {"profile": "DEFAULT", "resource_name": "FAILED_LOGIN_ATTEMPTS", "limit_value": "50"},
            {
                "profile": "DEFAULT",
                "resource_name": "PASSWORD_VERIFY_FUNCTION",
                "limit_value": "ORA12C_VERIFY_FUNCTION",
            },
        ],
        ctx,
    )
    assert {f.target for f in profiles} == {
        "APP:PASSWORD_LIFE_TIME",
        "APP:PASSWORD_VERIFY_FUNCTION",
        "DEFAULT:FAILED_LOGIN_ATTEMPTS",
    }
    assert "ALTER PROFILE APP" in next(f.advice for f in profiles if f.target == "APP:PASSWORD_LIFE_TIME")
    settings = db_policy.auth_settings(
        [
            {"name": "remote_os_authent", "setting": "TRUE"},
            {"name": "sec_case_sensitive_logon", "setting": "TRUE"},
        ],
        ctx,
    )
    assert [(f.target, f.severity) for f in settings] == [("remote_os_authent", "critical")]


def test_postgres_rows(shared):
    ctx = _ctx("postgresql", shared)
    db_accounts.accounts(
        [
            _account("postgres", admin_roles="SUPERUSER", profile=None, password_versions=None),
            _account("ops_admin", admin_roles="SUPERUSER", profile=None, password_versions=None),
            _account("app", profile=None, password_versions=None),
        ],
        ctx,
    )
    hashes = db_accounts.password_hashes(
        [
            {"username": "postgres", "password_hash": None},
            {"username": "ops_admin", "password_hash": _scram("admin123", b"0123456789abcdef", 256)},
            {"username": "app", "password_hash": "md5" + hashlib.md5(b"app123app").hexdigest()},
        ],
        ctx,
    )
    got = {(f.target, f.rule): f for f in hashes}
    assert got[("postgres", "no_password")].severity == "info"  # allowlisted superuser, peer login
    assert got[("ops_admin", "weak_password")].severity == "critical"
    assert (
        got[("app", "weak_password")].severity == "warning"
        and got[("app", "weak_hash")].severity == "warning"
    )
    assert "login name + digits" in got[("app", "weak_password")].detail
    assert ctx.stats["hashes_tested"] == 2
    hba = db_policy.hba_rules(
        [
            {
                "line_number": 1,
                "conn_type": "local",
                "databases": "all",
                "users": "all",
                "auth_method": "trust",
            },
            {
                "line_number": 2,
                "conn_type": "host",
                "databases": "all",
                "users": "all",
                "address": "0.0.0.0",
                "auth_method": "trust",
            },
            {
                "line_number": 3,
                "conn_type": "host",
                "databases": "all",
                "users": "all",
                "address": "10.0.0.0",
                "auth_method": "password",
            },
            {"line_number": 4, "conn_type": "host", "auth_method": "scram-sha-256"},
            {"line_number": 5, "error": 'invalid auth method "foo"'},
        ],
        ctx,
    )
    assert [(f.target, f.severity) for f in hba] == [
        ("pg_hba.conf:1", "warning"),
        ("pg_hba.conf:2", "critical"),
        ("pg_hba.conf:3", "warning"),
        ("pg_hba.conf:5", "warning"),
    ]
    [md5] = db_policy.auth_settings([{"name": "password_encryption", "setting": "md5"}], ctx)
    assert md5.severity == "warning"
    assert db_policy.auth_settings([{"name": "password_encryption", "setting": "scram-sha-256"}], ctx) == []


class _FailingDb:
    """A connection whose every query fails like a missing grant (PostgreSQL) or another error."""

    def __init__(self, error: Exception):
        self.error, self.rolled_back = error, 0

    def rows(self, name, params=None):
        raise self.error

    def rollback_quietly(self):
        self.rolled_back += 1


def test_a_query_that_may_not_run_is_a_coverage_finding():
    class InsufficientPrivilege(Exception):
        sqlstate = "42501"

    ctx = _ctx("postgresql")
    denied = _FailingDb(InsufficientPrivilege("permission denied for view pg_shadow"))
    findings = db_checks.run_checks(denied, ctx)
    assert {f.rule for f in findings} == {"not_readable"} and len(findings) == len(db_checks.CHECKS)
    assert "pg_shadow" in next(f.advice for f in findings if f.target == "password_hashes")
    assert denied.rolled_back == len(db_checks.CHECKS)
    oracle = db_checks.run_checks(_FailingDb(RuntimeError("ORA-00942: table or view does not exist")), ctx)
    assert {f.rule for f in oracle} == {"not_readable"}
    other = db_checks.run_checks(_FailingDb(RuntimeError("ORA-00904: invalid identifier")), ctx)
    assert {f.rule for f in other} == {"check_failed"}


def test_settings_defaults_parse():
    settings = SecuritySettings()
    assert settings.mail_when == "changes" and settings.weak.slow_hash_max_candidates > 0
    with pytest.raises(ValueError):
        SecuritySettings.model_validate({"app": {"unknown": 1}})


# --- audit window, report -----------------------------------------------------------------------


def test_audit_week_and_liveness():
    from ebill_ops.intervals import Window
    from ebill_ops.security import run

    now = dt.datetime(2026, 12, 9, 10, 0)  # a Wednesday
    scheduled = run.audit_of(Window(dt.datetime(2026, 11, 30, 7), dt.datetime(2026, 12, 7, 7)), now=now)
    assert scheduled.as_of == dt.datetime(2026, 12, 7, 7) and scheduled.live
    assert scheduled.audit_week == dt.date(2026, 12, 7) and scheduled.week_label == "2026-W50"
    manual = run.audit_of(Window(dt.datetime(2026, 12, 9), dt.datetime(2026, 12, 10)), now=now)
    assert manual.as_of == now and manual.audit_week == dt.date(2026, 12, 7)  # same week: replaces
    past = run.audit_of(Window(dt.datetime(2026, 10, 5, 7), dt.datetime(2026, 10, 12, 7)), now=now)
    assert not past.live and past.audit_week == dt.date(2026, 10, 12)
    # A manual run triggered late on Sunday: every task files under the trigger's week.
    sunday = Window(dt.datetime(2026, 12, 13), dt.datetime(2026, 12, 14))
    late = dt.datetime(2026, 12, 13, 23, 59)
    for clock in (late, late + dt.timedelta(minutes=5)):
        audit = run.audit_of(sunday, anchor=late, now=clock)
        assert audit.audit_week == dt.date(2026, 12, 7) and audit.as_of == late


def test_report_puts_what_needs_a_person_first_and_folds_info():
    from ebill_ops.security import report

    findings = [
        Finding("app:ebill_db", "weak_password", "admin", "critical", "规则 rule: x", "change it"),
        Finding("app:ebill_db", "locked", "cashier07", "warning", "locked", "unlock"),
        *[
            Finding("app:ebill_db", "password_stale", f"cashier{i:02d}", "info", f"{i} days", "remind")
            for i in range(10, 14)
        ],
        Finding("db:ebill_db", "not_readable", "password_hashes", "warning", "denied", "grant"),
    ]
    html_text = report.render(
        audit_week=dt.date(2026, 12, 7),
        week_label="2026-W50",
        as_of=AS_OF,
        findings=findings,
        sources=[],
        missing_sources=["db:ebill_dba"],
        changes={"new": findings[:1], "recovered": []},
        trend=[],
        live=True,
        run_id="r1",
        runbook="docs/runbooks/ebill_security_audit.md",
    )
    assert html_text.index("admin") < html_text.index("cashier07") < html_text.index("password_hashes")
    assert html_text.count("remind") == 1 and "cashier10, cashier11, cashier12, cashier13" in html_text
    assert "新 NEW" in html_text and "严重 CRITICAL" in html_text and "db:ebill_dba" not in html_text
    assert "数据库账户 Database accounts · ebill_dba" in html_text  # the missing source, named
    assert "本报告不含任何口令或口令散列" in html_text


# --- odd input and review fixes -----------------------------------------------------------------


def test_a_weak_list_saved_with_a_byte_order_mark_still_tests_its_first_password(tmp_path):
    """Windows editors write UTF-8 with a BOM: the list's first (most common) entry must survive."""
    path = tmp_path / "weak.txt"
    path.write_bytes("123456\nadmin123\n".encode("utf-8-sig"))
    assert candidates.read_weak_list(path) == ["123456", "admin123"]


def test_a_hash_claiming_zero_iterations_is_untestable_not_a_crash(shared):
    """One odd row must not fail the audit of every other account."""
    zero = f"pbkdf2_sha256$0$salt${base64.b64encode(b'x' * 32).decode()}"
    users = [
        _user("cashier21", "", algo="pbkdf2_sha256", password_hash=zero),
        _user("cashier22", "123456"),
    ]
    findings, stats = app_users.assess(users, "app:ebill_db", AS_OF, AppAudit(), shared)
    got = {(f.target, f.rule): f for f in findings}
    assert got[("cashier21", "untestable")].severity == "warning"
    assert ("cashier22", "weak_password") in got and stats.untestable == 1
    ctx = _ctx("postgresql", shared)
    scram = _scram("admin123", b"0123456789abcdef", 1).replace("SCRAM-SHA-256$1:", "SCRAM-SHA-256$0:")
    [finding] = db_accounts.password_hashes([{"username": "r0", "password_hash": scram}], ctx)
    assert finding.rule == "untestable" and "0 iterations" in finding.detail


def test_slow_hashes_spend_a_work_budget_and_still_try_the_head_of_the_list():
    """600,000-iteration PBKDF2 × 300 candidates would be 100 s per account: the budget is in
    iterations, and a tight budget still reaches the most common passwords, not only login patterns."""
    rules = WeakPasswordRules(slow_hash_max_work=40_000)  # 4 candidates at 10,000 iterations
    tight = candidates.build(rules, as_of_year=2026)
    raw = hashlib.pbkdf2_hmac("sha256", b"123456", b"salt", 10_000)
    verifier = verifiers.app_verifier("pbkdf2_sha256", "salt", raw.hex(), pbkdf2_iterations=10_000)
    result = offline.try_candidates(verifier, "cashier01", tight)
    assert result.rules == {"weak_list"} and result.tried <= 4
    strong = verifiers.app_verifier(
        "pbkdf2_sha256",
        "salt",
        hashlib.pbkdf2_hmac("sha256", b"k8#Lq2!vR9zT", b"salt", 10_000).hex(),
        pbkdf2_iterations=10_000,
    )
    result = offline.try_candidates(strong, "cashier01", tight)
    assert not result.weak and result.limited and result.tried == 4
    # One candidate costs more than the whole budget: reported untestable, nothing hashed.
    costly = _user(
        "cashier23",
        "",
        algo="pbkdf2_sha256",
        password_hash=f"pbkdf2_sha256$50000$salt${base64.b64encode(raw).decode()}",
    )
    findings, stats = app_users.assess([costly], "app:ebill_db", AS_OF, AppAudit(), tight)
    [untestable] = [f for f in findings if f.rule == "untestable"]
    assert "slow_hash_max_work" in untestable.detail and stats.hashes_computed == 0


class _OracleDb:
    """An Oracle-like connection: the first query fails, every statement is recorded."""

    dialect = "oracle"

    def __init__(self):
        self.statements: list[str] = []

    def rows(self, name, params=None):
        self.statements.append(name)
        if len(self.statements) == 1:
            raise RuntimeError("ORA-00942: table or view does not exist")
        return []

    def rollback_quietly(self):
        self.statements.append("ROLLBACK")


def test_a_failed_check_is_rolled_back_before_the_next_one_runs():
    """Db.rollback_quietly also begins Oracle's next read-only transaction (tests/test_db.py)."""
    fake = _OracleDb()
    db_checks.run_checks(fake, _ctx("oracle"))
    assert fake.statements[:3] == ["security/db_accounts", "ROLLBACK", "security/db_default_passwords"]


def test_the_trend_reads_weeks_as_dates_in_either_engine():
    from ebill_ops.security import store

    class _Ops:
        def rows(self, name, params=None):  # Oracle's DATE arrives as a datetime
            return [{"audit_week": dt.datetime(2026, 11, 30), "critical_count": 1}]

    [week] = store.trend(_Ops(), dt.date(2026, 12, 7), 8)
    assert week["audit_week"] == dt.date(2026, 11, 30) and week["critical_count"] == 1
