"""Daily inspection: the pure parts (parsing, judging, the report) on recorded command and query output."""

from __future__ import annotations

import datetime as dt

import pytest

from ebill_ops.inspect import application, backups, database, endpoints, host, report
from ebill_ops.inspect.findings import Finding, counts, grade, ordered
from ebill_ops.inspect.settings import (
    ApplicationSettings,
    DatabaseThresholds,
    EndpointSettings,
    HostSettings,
    HostSpec,
    ServiceSpec,
    band,
)
from ebill_ops.intervals import Window
from tests.fakes import RecordingConnection

DF_OUTPUT = """Filesystem     1024-blocks      Used Available Capacity Mounted on
/dev/mapper/vg-root  51474912  20123456  28713656      42% /
tmpfs                 8123456         0   8123456       0% /dev/shm
/dev/sdb1           103081248  98900000   4181248      96% /u01/app/oracle
/dev/sdc1           103081248  89000000  14081248      87% /data/backup files
/proc                       0         0         0       -  /proc/whatever
"""
DF_INODES = """Filesystem     Inodes  IUsed   IFree IUse% Mounted on
/dev/mapper/vg-root 3276800 120000 3156800    4% /
/dev/sdb1       6553600 6400000  153600   98% /u01/app/oracle
btrfs0               0       0       0     - /btr
"""
MEMINFO = (
    "MemTotal:       16384000 kB\nMemFree:          512000 kB\nMemAvailable:     655360 kB\nSwapTotal: 0 kB\n"
)


def _sample(**results: str) -> host.HostSample:
    spec = HostSpec(
        conn_id="ebill_ssh_app1", services=[ServiceSpec(name="tomcat"), ServiceSpec(name="redis")]
    )
    sample = host.HostSample(spec)
    outputs = {
        host.DF: DF_OUTPUT,
        host.DF_INODES: DF_INODES,
        host.MEMINFO: MEMINFO,
        host.LOADAVG: "9.10 8.50 8.20 3/900 12345\n",
        host.NPROC: "4\n",
    }
    outputs.update(results)
    sample.results = {cmd: host.CommandResult(cmd, 0, out) for cmd, out in outputs.items()}
    sample.services = {
        "tomcat": host.CommandResult("systemctl is-active --quiet tomcat", 0, ""),
        "redis": host.CommandResult("systemctl is-active --quiet redis", 3, "inactive\n"),
    }
    sample.clock_skew_seconds = -12.5
    return sample


def test_parse_df_keeps_mount_points_with_spaces_and_skips_dashes():
    rows = host.parse_df(DF_OUTPUT)
    assert [(r.mount, r.used_pct) for r in rows] == [
        ("/", 42.0),
        ("/dev/shm", 0.0),
        ("/u01/app/oracle", 96.0),
        ("/data/backup files", 87.0),
    ]


def test_host_findings_judge_every_resource_against_its_band():
    findings = {f.key: f for f in host.assess(_sample(), HostSettings())}
    assert findings["host:reachable:app1"].severity == "ok"
    assert findings["host:disk_used:app1:/u01/app/oracle"].severity == "critical"
    assert findings["host:disk_used:app1:/u01/app/oracle"].value == 96.0
    assert findings["host:disk_used:app1:/data/backup files"].severity == "warning"
    assert findings["host:disk_used:app1:/"].severity == "ok"
    assert "host:disk_used:app1:/dev/shm" not in findings  # tmpfs is not judged
    assert findings["host:inode_used:app1:/u01/app/oracle"].severity == "critical"
    assert "host:inode_used:app1:/btr" not in findings
    assert findings["host:memory_available:app1"].value == 4.0  # 655360 / 16384000
    assert findings["host:memory_available:app1"].severity == "critical"
    assert findings["host:load:app1"].value == 2.05  # 8.20 / 4 CPU
    assert findings["host:load:app1"].severity == "warning"
    assert findings["host:time_skew:app1"].severity == "critical"
    assert findings["host:service:app1:tomcat"].severity == "ok"
    assert findings["host:service:app1:redis"].severity == "critical"
    assert all(f.advice for f in findings.values())


def test_unreachable_host_is_one_critical_finding():
    sample = host.HostSample(HostSpec(conn_id="ebill_ssh_db1"), error="NoValidConnectionsError: port 22")
    (finding,) = host.assess(sample, HostSettings())
    assert (finding.key, finding.severity) == ("host:reachable:db1", "critical")
    assert "port 22" in finding.detail


def test_failed_command_is_a_warning_and_its_check_is_skipped():
    sample = _sample()
    sample.results[host.DF] = host.CommandResult(host.DF, 255, "", "TimeoutError: SSH command timed out")
    findings = host.assess(sample, HostSettings())
    assert not [f for f in findings if f.check == "disk_used"]
    failed = [f for f in findings if f.check == "command"]
    assert [(f.target, f.severity) for f in failed] == [("app1:df -P", "warning")]


def test_clock_skew_uses_the_round_trip_midpoint():
    assert host.clock_skew("1000.5\n", 999.0, 1001.0) == pytest.approx(0.5)


def test_grade_in_both_directions_and_band_validation():
    high = band(85, 97)
    assert [grade(v, high) for v in (84.9, 85, 96.9, 97)] == ["ok", "warning", "warning", "critical"]
    low = band(10, 5, higher_is_worse=False)
    assert [grade(v, low) for v in (11, 10, 5.1, 5)] == ["ok", "warning", "warning", "critical"]
    assert grade(None, high) == "ok"
    with pytest.raises(ValueError):
        band(90, 80)


def _ctx(previous=None) -> database.Context:
    return database.Context("ebill_db", DatabaseThresholds(), previous or {})


def test_oracle_tablespace_rows_are_judged_against_the_autoextend_ceiling():
    # Recorded from DBA_TABLESPACE_USAGE_METRICS on a site (names changed).
    rows = [
        {
            "tablespace_name": "EBILL_DATA",
            "used_mb": 98000.0,
            "max_mb": 100000.0,
            "used_pct": 98.0,
            "autoextensible": 1,
        },
        {
            "tablespace_name": "EBILL_IDX",
            "used_mb": 8600.0,
            "max_mb": 10000.0,
            "used_pct": 86.0,
            "autoextensible": 0,
        },
        {
            "tablespace_name": "USERS",
            "used_mb": 10.0,
            "max_mb": 32767.0,
            "used_pct": 0.03,
            "autoextensible": 1,
        },
    ]
    got = {f.target: f for f in database.tablespaces(rows, _ctx())}
    assert got["ebill_db:EBILL_DATA"].severity == "critical"
    assert "autoextend ceiling" in got["ebill_db:EBILL_DATA"].detail
    assert got["ebill_db:EBILL_IDX"].severity == "warning"
    assert got["ebill_db:USERS"].severity == "ok"


def test_postgres_tablespace_without_limit_is_reported_not_judged():
    rows = [
        {
            "tablespace_name": "pg_default",
            "used_mb": 66.5,
            "max_mb": None,
            "used_pct": None,
            "autoextensible": 0,
        }
    ]
    (f,) = database.tablespaces(rows, _ctx())
    assert (f.severity, f.unit, f.value) == ("ok", "MB", 66.5)


def test_temp_undo_and_recovery_area():
    undo = database.temp_undo(
        [{"area": "UNDO", "tablespace_name": "UNDOTBS1", "used_mb": 9700.0, "size_mb": 10000.0}], _ctx()
    )
    assert undo[0].severity == "critical" and undo[0].value == 97.0
    fra = database.recovery_area(
        [
            {
                "location": "/u02/fra",
                "used_mb": 95000,
                "reclaimable_mb": 5000,
                "limit_mb": 100000,
                "archive_errors": 0,
            }
        ],
        _ctx(),
    )
    assert (fra[0].value, fra[0].severity) == (90.0, "warning")
    stuck = database.recovery_area(
        [{"location": "pg_wal", "used_mb": 48, "reclaimable_mb": 0, "limit_mb": None, "archive_errors": 1}],
        _ctx(),
    )
    assert stuck[0].severity == "critical"


def test_alert_log_oracle_messages_and_postgres_counters():
    oracle_rows = [
        {
            "message": "ORA-00600: internal error code, arguments: [kdsgrp1]",
            "error_count": 2,
            "last_seen": "x",
            "cumulative": 0,
        },
        {"message": "ORA-01555: snapshot too old", "error_count": 1, "last_seen": "x", "cumulative": 0},
    ]
    got = [f.severity for f in database.alert_log(oracle_rows, _ctx())]
    assert got == ["critical", "warning"]
    rows = [
        {"message": "deadlocks", "error_count": 7, "last_seen": None, "cumulative": 1},
        {"message": "checksum_failures", "error_count": 1, "last_seen": None, "cumulative": 1},
    ]
    first = database.alert_log(rows, _ctx())  # no previous run: counters are a baseline, not news
    assert [f.value for f in first] == [0, 0] and {f.severity for f in first} == {"ok"}
    previous = {f.key: f for f in first}
    rows[0]["error_count"], rows[1]["error_count"] = 9, 2
    second = {f.target: f for f in database.alert_log(rows, _ctx(previous))}
    assert (second["ebill_db:deadlocks"].value, second["ebill_db:deadlocks"].severity) == (2, "warning")
    assert second["ebill_db:checksum_failures"].severity == "critical"
    assert second["ebill_db:deadlocks"].raw_value == 9


def test_sessions_locks_accounts_and_growth():
    ctx = _ctx()
    blocked = database.blocking(
        [{"waiting_session": "812", "waiting_user": "EBILL", "blocking_session": "77", "blocking_user": "HIS",
          "event": "enq: TX - row lock contention", "wait_seconds": 420, "query_id": "9babjv8yq8ru3"}],
        ctx,
    )  # fmt: skip
    assert blocked[0].severity == "critical" and "77" in blocked[0].detail
    assert database.blocking([], ctx)[0].severity == "ok"
    longs = database.long_sessions(
        [
            {
                "session_id": "1,2",
                "username": "U",
                "program": "p",
                "state": "ACTIVE",
                "query_id": "q",
                "seconds": 700,
            }
        ],
        ctx,
    )
    assert longs[0].severity == "warning"
    accounts = {
        f.target: f.severity
        for f in database.accounts(
            [
                {
                    "username": "EBILL",
                    "account_status": "LOCKED(TIMED)",
                    "expiry_date": None,
                    "lock_date": None,
                },
                {
                    "username": "REPORTER",
                    "account_status": "EXPIRED(GRACE)",
                    "expiry_date": None,
                    "lock_date": None,
                },
            ],
            ctx,
        )
    }
    assert accounts == {"ebill_db:EBILL": "critical", "ebill_db:REPORTER": "warning"}
    first = database.db_size([{"database_name": "bill", "size_mb": 1000.0}], ctx)
    assert first[0].value is None and first[0].raw_value == 1000.0
    grown = database.db_size([{"database_name": "bill", "size_mb": 1600.0}], _ctx({f.key: f for f in first}))
    assert (grown[0].value, grown[0].severity) == (60.0, "critical")
    assert database.wraparound([{"database_name": "ORCL", "xid_age": None, "mxid_age": None}], ctx) == []
    wrap = database.wraparound([{"database_name": "bill", "xid_age": 1_350_000_000, "mxid_age": 10}], ctx)
    assert wrap[0].severity == "warning"


def test_bind_keeps_only_the_parameters_a_statement_names():
    params = {"since": 1, "min_seconds": 2, "expiry_days": 3}
    assert database.bind("SELECT 1 FROM v$session WHERE last_call_et >= :min_seconds", params) == {
        "min_seconds": 2
    }
    assert database.bind("SELECT %(since)s::timestamp, x::int", params) == {"since": 1}


def test_endpoints_status_latency_components_and_versions():
    settings = EndpointSettings()
    spec = settings.endpoints[0]
    assert endpoints.judge_endpoint(spec, endpoints.Answer(200, 40.0, {}), settings).severity == "ok"
    assert endpoints.judge_endpoint(spec, endpoints.Answer(200, 1500.0, {}), settings).severity == "warning"
    down = endpoints.judge_endpoint(spec, endpoints.Answer(503, 12.0, {"status": "DOWN"}), settings)
    assert down.severity == "critical" and "503" in down.detail
    assert (
        endpoints.judge_endpoint(
            spec, endpoints.Answer(None, 10000.0, error="ConnectError"), settings
        ).severity
        == "critical"
    )
    health = endpoints.judge_health(
        endpoints.Answer(
            503, 20.0, {"status": "DOWN", "components": {"db": {"status": "UP"}, "redis": {"status": "DOWN"}}}
        ),
        settings,
    )
    assert {f.target: f.severity for f in health} == {
        "application": "critical",
        "db": "ok",
        "redis": "critical",
    }
    assert endpoints.version_key("1.8.0_392") > endpoints.version_key("1.8.0_381")
    assert endpoints.version_key("9.0.85") > endpoints.version_key("9.0.9")
    app = ApplicationSettings(
        min_versions={"tomcat": "9.0.90", "redis": "6.2.0", "nginx": "1.24"}, critical_versions=["tomcat"]
    )
    got = {
        f.target: f.severity for f in endpoints.judge_versions({"tomcat": "9.0.85", "redis": "6.2.14"}, app)
    }
    assert got == {"tomcat": "critical", "redis": "ok", "nginx": "warning"}


def test_application_volume_errors_and_backlog():
    settings = ApplicationSettings()
    window = Window(dt.datetime(2026, 11, 30), dt.datetime(2026, 12, 1))
    assert [w.start.date() for w in application.norm_windows(window, 2)] == [
        dt.date(2026, 11, 23),
        dt.date(2026, 11, 16),
    ]
    assert application.bills_issued(100, [3000, 3100, 2900], settings).severity == "critical"
    assert application.bills_issued(1500, [3000, 3100, 2900], settings).severity == "warning"
    assert application.bills_issued(2950, [3000, 3100, 2900], settings).severity == "ok"
    thin = application.bills_issued(5, [], settings)
    assert thin.severity == "ok" and "no usable norm" in thin.detail
    errors = application.issue_errors(
        [{"interface": "his_issue", "calls": 1000, "failures": 80, "top_error": "E1003"},
         {"interface": "signature", "calls": 10, "failures": 5, "top_error": "E9001"}],
        settings,
    )  # fmt: skip
    assert [(f.target, f.severity) for f in errors] == [("his_issue", "critical"), ("signature", "ok")]
    assert "E1003" in errors[0].detail and "not judged" in errors[1].detail
    backlog = application.transit_backlog(
        [
            {"kind": "before_supervision", "bills": 600, "oldest": "2026-11-28"},
            {"kind": "before_archive", "bills": 0, "oldest": None},
        ],
        settings,
    )
    assert [f.severity for f in backlog] == ["critical", "ok"]


def test_backup_age_from_the_catalogue():
    now = dt.datetime(2026, 12, 1, 6, 0)
    assert backups.assess([], now, 30)[0].severity == "critical"
    good = {"method": "pg_dump", "backup_date": dt.date(2026, 12, 1), "status": "verified",
            "verified_at": dt.datetime(2026, 12, 1, 1, 50), "finished_at": None, "verdict": "ok", "file_url": "f"}  # fmt: skip
    assert backups.assess([good], now, 30)[0].severity == "ok"
    late = {**good, "backup_date": dt.date(2026, 11, 28), "verified_at": dt.datetime(2026, 11, 28, 1, 50)}
    assert backups.assess([late], now, 30)[0].severity == "critical"
    failed = {**good, "status": "failed", "verdict": "checksum mismatch"}
    older = {**good, "backup_date": dt.date(2026, 11, 30), "verified_at": dt.datetime(2026, 11, 30, 1, 50)}
    (f,) = backups.assess([failed, older], now, 30)
    assert f.severity == "critical" and "checksum mismatch" in f.detail


def _finding(sev: str, target: str, category="host") -> Finding:
    return Finding(category, "disk_used", target, 50.0, "%", "t", sev, "advice", "detail")  # type: ignore[arg-type]


def test_report_puts_critical_first_and_draws_the_trend():
    findings = [_finding("ok", "a"), _finding("warning", "b"), _finding("critical", "c", "database")]
    assert [f.severity for f in ordered(findings)] == ["critical", "warning", "ok"]
    day = dt.date(2026, 12, 1)
    series = report.trend_series(
        day,
        30,
        {day - dt.timedelta(days=1): 1200, day - dt.timedelta(days=2): 1100},
        [{"check_date": day, "check_name": "disk_used", "max_value": 44.0, "sum_value": 80.0, "max_raw": None,
          "critical_count": 1, "warning_count": 2}],
    )  # fmt: skip
    assert len(series) == 6 and all(len(s.points) == 30 for s in series)
    assert series[1].last == 44.0 and series[-1].last == 3.0
    html_text = report.render(
        site="Test hospital",
        environment="sandbox",
        check_date=day,
        window_text="w",
        findings=findings,
        series=series,
        live=True,
        failed_checks=["ebill_ssh_db1"],
        generated_at=dt.datetime(2026, 12, 1, 6, 1),
        backup_catalog="ebops.backup_catalog",
    )
    assert html_text.index("c<br>") < html_text.index("b<br>")  # the critical row comes first
    assert "严重 CRITICAL" in html_text and "Needs attention (2)" in html_text
    assert "ebill_ssh_db1" in html_text and "<svg" not in html_text and "<script" not in html_text
    assert counts(findings) == {"ok": 1, "warning": 1, "critical": 1}


def test_fingerprint_changes_with_what_the_report_says_not_with_decimals():
    a = [_finding("warning", "b"), _finding("ok", "a")]
    b = [_finding("warning", "b").with_(value=51.0), _finding("ok", "a").with_(value=1.0)]
    assert report.fingerprint(a) == report.fingerprint(b)
    assert report.fingerprint(a) != report.fingerprint([_finding("critical", "b"), _finding("ok", "a")])


def test_fingerprint_says_which_checks_did_not_report():
    """An incomplete report and its complete re-run say different things: the re-run mails."""
    a = [_finding("warning", "b"), _finding("ok", "a")]
    assert report.fingerprint(a, ["ebill_db"]) != report.fingerprint(a)
    assert report.fingerprint(a, ["ebill_db"]) != report.fingerprint(a, ["endpoints"])
    assert len(report.fingerprint(a, ["ebill_db", "endpoints"])) == 64  # the column's width


ORACLE_RESERVED = {
    "access", "add", "all", "alter", "and", "any", "as", "asc", "audit", "between", "by", "char",
    "check", "cluster", "column", "comment", "compress", "connect", "create", "current", "date",
    "decimal", "default", "delete", "desc", "distinct", "drop", "else", "exclusive", "exists", "file",
    "float", "for", "from", "grant", "group", "having", "identified", "immediate", "in", "increment",
    "index", "initial", "insert", "integer", "intersect", "into", "is", "level", "like", "lock", "long",
    "maxextents", "minus", "mode", "modify", "noaudit", "nocompress", "not", "nowait", "null", "number",
    "of", "offline", "on", "online", "option", "or", "order", "pctfree", "prior", "public", "raw",
    "rename", "resource", "revoke", "row", "rowid", "rownum", "rows", "select", "session", "set",
    "share", "size", "smallint", "start", "successful", "synonym", "sysdate", "table", "then", "to",
    "trigger", "uid", "union", "unique", "update", "user", "validate", "values", "varchar", "varchar2",
    "view", "whenever", "where", "with",
}  # fmt: skip


def _oracle_binds(text: str) -> set[str]:
    import re

    text = re.sub(r"--[^\n]*|'[^']*'", "", text)
    return set(re.findall(r"(?<![:\w]):([A-Za-z_]\w*)", text))


def test_oracle_bind_names_are_not_reserved_words():
    """ORA-01745: a reserved word (``:check``, ``:date``, ``:size``) is not a valid bind name."""
    from ebill_ops.paths import sql_dir

    paths = [p for folder in ("inspect", "backup") for p in (sql_dir() / "oracle" / folder).rglob("*.sql")]
    assert len(paths) > 30
    for path in paths:
        bad = _oracle_binds(path.read_text()) & ORACLE_RESERVED
        assert not bad, f"{path.name}: reserved bind name(s) {bad}"


def test_finding_rows_bind_exactly_the_insert_placeholders():
    """python-oracledb rejects a bind the statement does not name (DPY-4008), psycopg a missing one."""
    import re

    from ebill_ops.inspect import store
    from ebill_ops.sql import load_sql

    row = store.finding_row(
        dt.date(2026, 12, 1), "ebill_db", _finding("critical", "x"), dt.datetime(2026, 12, 1, 6)
    )
    assert row["check_name"] == "disk_used"
    assert set(row) == _oracle_binds(load_sql("inspect/insert_finding", "oracle"))
    assert set(row) == set(re.findall(r"%\((\w+)\)s", load_sql("inspect/insert_finding", "postgresql")))


def test_oracle_database_checks_run_in_read_only_transactions(monkeypatch):
    """Oracle has read-only transactions, not sessions: the inspection must not run in autocommit
    (where none can be begun) and must begin one again after a failed query's rollback."""
    import sys
    import types

    from ebill_ops import db
    from ebill_ops.inspect import run
    from ebill_ops.inspect.settings import InspectSettings

    fake = RecordingConnection(fail_on="v$diag_alert_ext")
    airflow_conn = types.SimpleNamespace(
        conn_type="oracle", host="db", port=1521, schema="ORCL", login="ops", password="x", extra_dejson={}
    )
    monkeypatch.setattr(db, "get_airflow_connection", lambda conn_id: airflow_conn)
    monkeypatch.setitem(
        sys.modules,
        "oracledb",
        types.SimpleNamespace(connect=lambda **kw: fake, makedsn=lambda *a, **kw: "db/ORCL"),
    )
    settings = InspectSettings()
    found = run._database_findings("ebill_db", settings, dt.datetime(2026, 12, 1), {})
    assert not fake.autocommit and fake.call_timeout == settings.database.statement_timeout_seconds * 1000
    assert fake.statements[0] == "SET TRANSACTION READ ONLY"
    failed = next(i for i, s in enumerate(fake.statements) if "v$diag_alert_ext" in s)
    assert fake.statements[failed + 1 : failed + 3] == ["ROLLBACK", "SET TRANSACTION READ ONLY"]
    assert any(f.check == "query" and f.severity == "warning" for f in found)
