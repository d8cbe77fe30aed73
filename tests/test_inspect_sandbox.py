"""Daily inspection against the real sandbox: SSH host, PostgreSQL, health endpoints, SMTP sink.

Each problem the issue names is produced for real — a full filesystem through the SSH server's
canned ``df -P`` reply, an unreachable host through a connection to a closed port, a blocking
session through two real connections on one row — and must give the right finding and mail.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import threading

import asyncssh
import httpx
import psycopg
import pytest

from ebill_ops import db
from ebill_ops.inspect import run, store
from ebill_ops.inspect.settings import (
    DatabaseSettings,
    DatabaseThresholds,
    HostSettings,
    HostSpec,
    InspectSettings,
    ServiceSpec,
    band,
)
from ebill_ops.intervals import Window

pytestmark = pytest.mark.integration

FULL_DF = """Filesystem     1024-blocks      Used Available Capacity Mounted on
/dev/vda         264212084 253643600   10568484      96% /
/dev/vdb         103081248  20000000   83081248      20% /u01
"""


def _window() -> Window:
    today = dt.date.today()
    return Window(
        dt.datetime.combine(today - dt.timedelta(days=1), dt.time()), dt.datetime.combine(today, dt.time())
    )


def _settings(**host_kw) -> InspectSettings:
    hosts = host_kw.pop(
        "hosts",
        [
            HostSpec(
                conn_id="ebill_ssh_sandbox",
                label="sandbox",
                services=[ServiceSpec(name="postgres", command="pgrep -x postgres")],
            )
        ],
    )
    return InspectSettings(host=HostSettings(hosts=hosts, connect_attempts=1, **host_kw))


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def ssh_faults(sandbox):
    from sandbox import ssh_server

    yield lambda faults: ssh_server.write_faults(sandbox, faults)
    ssh_server.clear_faults(sandbox)


@pytest.fixture
def app_endpoint(sandbox, monkeypatch):
    """The ``ebill_app`` connection of the health endpoints, and their fault knob (reset after)."""
    url = f"http://{sandbox.host}:{sandbox.port('app')}"
    monkeypatch.setenv(
        "AIRFLOW_CONN_EBILL_APP",
        json.dumps(
            {"conn_type": "http", "host": sandbox.host, "port": sandbox.port("app"), "schema": "http"}
        ),
    )
    yield url
    httpx.post(f"{url}/admin/faults/clear", timeout=10).raise_for_status()


def _stored(check_date: dt.date, source: str) -> dict:
    with db.connect("ebops_db") as ops:
        return {s.finding.key: s.finding for s in store.findings_of(ops, check_date) if s.source == source}


def _mail_text(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def test_healthy_host_over_real_ssh_has_no_problem(sandbox, manifest):
    summary = run.inspect_host("ebill_ssh_sandbox", _window(), _settings())
    assert summary["critical"] == 0, summary
    found = _stored(dt.date.today(), "ebill_ssh_sandbox")
    assert found["host:reachable:sandbox"].severity == "ok"
    assert found["host:service:sandbox:postgres"].severity == "ok"
    assert any(k.startswith("host:disk_used:sandbox:") for k in found)
    assert found["host:time_skew:sandbox"].value < 2
    assert found["host:memory_available:sandbox"].value > 0


def test_full_filesystem_is_critical_and_alerts_once(sandbox, manifest, ssh_faults):
    from sandbox import smtp_sink

    window = _window()
    ssh_faults({"commands": {"df -P": {"stdout": FULL_DF, "exit_status": 0}}})
    smtp_sink.clear(sandbox)
    run.inspect_host("ebill_ssh_sandbox", window, _settings())
    found = _stored(window.end.date(), "ebill_ssh_sandbox")
    disk = found["host:disk_used:sandbox:/"]
    assert (disk.value, disk.severity) == (96.0, "critical")
    assert found["host:disk_used:sandbox:/u01"].severity == "ok"
    outcome = run.alert(window, _settings())
    assert outcome["alerted"] >= 1
    mail = smtp_sink.wait_for(
        sandbox, lambda m: "CRITICAL" in m["Subject"] and "ebill_daily_inspection" in m["Subject"], timeout=30
    )[0]
    body = _mail_text(mail)
    assert "sandbox:/" in body and "96" in body and "ebill-ops@hospital.example" in mail["To"]
    # The same full disk tomorrow morning is an ongoing incident: no second mail.
    smtp_sink.clear(sandbox)
    run.inspect_host("ebill_ssh_sandbox", window, _settings())
    assert run.alert(window, _settings())["alerted"] == 0
    # Freed: the incident closes with a recovery notice.
    ssh_faults({})
    run.inspect_host("ebill_ssh_sandbox", window, _settings())
    assert run.alert(window, _settings())["recovered"] >= 1
    recovered = smtp_sink.wait_for(sandbox, lambda m: "RECOVERED" in m["Subject"], timeout=30)[0]
    assert "sandbox:/" in _mail_text(recovered)


def test_unreachable_host_is_a_critical_finding_not_a_crash(sandbox, manifest, monkeypatch):
    down = json.loads(os.environ["AIRFLOW_CONN_EBILL_SSH_SANDBOX"])
    down["port"] = _closed_port()
    monkeypatch.setenv("AIRFLOW_CONN_EBILL_SSH_DOWN", json.dumps(down))
    settings = _settings(hosts=[HostSpec(conn_id="ebill_ssh_down", label="db-server")])
    summary = run.inspect_host("ebill_ssh_down", _window(), settings)
    assert summary["critical"] == 1
    finding = _stored(dt.date.today(), "ebill_ssh_down")["host:reachable:db-server"]
    assert finding.severity == "critical"
    assert "NoValidConnectionsError" in finding.detail or "refused" in finding.detail.lower(), finding.detail


def test_refused_and_wrong_host_key_are_unreachable(sandbox, manifest, monkeypatch, ssh_faults):
    ssh_faults({"refuse": True})
    assert run.inspect_host("ebill_ssh_sandbox", _window(), _settings())["critical"] == 1
    ssh_faults({})
    wrong = json.loads(os.environ["AIRFLOW_CONN_EBILL_SSH_SANDBOX"])
    other_key = asyncssh.generate_private_key("ssh-ed25519").export_public_key("openssh").decode()
    wrong["extra"]["host_key"] = " ".join(other_key.split()[:2])  # a real key, just not the server's
    monkeypatch.setenv("AIRFLOW_CONN_EBILL_SSH_SANDBOX", json.dumps(wrong))
    assert run.inspect_host("ebill_ssh_sandbox", _window(), _settings())["critical"] == 1
    finding = _stored(dt.date.today(), "ebill_ssh_sandbox")["host:reachable:sandbox"]
    assert "key" in finding.detail.lower()


def test_healthy_database_and_its_checks(sandbox, manifest):
    summary = run.inspect_database("ebill_db", _window())
    assert summary["critical"] == 0, summary
    found = _stored(dt.date.today(), "ebill_db")
    checks = {f.check for f in found.values()}
    assert {
        "reachable",
        "tablespace",
        "connections",
        "wraparound",
        "blocking",
        "db_size",
        "alert_log",
    } <= checks
    assert "query" not in checks, [f.detail for f in found.values() if f.check == "query"]
    assert found["database:wraparound:ebill_db:bill"].value < 1_000_000_000


def test_blocking_session_is_found_and_alerts(sandbox, manifest):
    """Two real sessions on one bill row: the second waits for the first."""
    from sandbox import smtp_sink

    settings = InspectSettings(
        database=DatabaseSettings(thresholds=DatabaseThresholds(blocked_seconds=band(0, 0)))
    )
    window = _window()
    bill_id = (
        psycopg.connect(sandbox.dsn("bill", "ebill_owner"))
        .execute("SELECT min(bill_id) FROM ebill.bill")
        .fetchone()[0]
    )
    holder = psycopg.connect(sandbox.dsn("bill", "ebill_owner"))
    waiter = psycopg.connect(sandbox.dsn("bill", "ebill_owner"))
    holder_pid = holder.info.backend_pid
    try:
        holder.execute("SELECT 1 FROM ebill.bill WHERE bill_id = %s FOR UPDATE", (bill_id,))
        waiter_pid = waiter.info.backend_pid
        blocked = threading.Thread(
            target=lambda: waiter.execute(
                "UPDATE ebill.bill SET remark = remark WHERE bill_id = %s", (bill_id,)
            ),
            daemon=True,
        )
        blocked.start()
        with psycopg.connect(sandbox.dsn("bill", "ebill_ro"), autocommit=True) as probe:
            for _ in range(500):  # poll with a bound, no fixed sleep
                if probe.execute("SELECT cardinality(pg_blocking_pids(%s)) > 0", (waiter_pid,)).fetchone()[0]:
                    break
                probe.execute("SELECT pg_sleep(0.02)")
            else:
                pytest.fail("the second session never waited for the lock")
        smtp_sink.clear(sandbox)
        run.inspect_database("ebill_db", window, settings)
    finally:
        holder.rollback()
        holder.close()
        blocked.join(timeout=30)
        waiter.rollback()
        waiter.close()
    found = _stored(window.end.date(), "ebill_db")
    finding = found[f"database:blocking:ebill_db:session {waiter_pid}"]
    assert finding.severity == "critical"
    assert "ebill_owner" in finding.detail and str(holder_pid) in finding.detail
    run.alert(window, settings)
    mail = smtp_sink.wait_for(sandbox, lambda m: "CRITICAL" in m["Subject"], timeout=30)[0]
    assert f"session {waiter_pid}" in _mail_text(mail)
    # The lock is gone: the next inspection recovers the incident.
    run.inspect_database("ebill_db", window, settings)
    assert run.alert(window, settings)["recovered"] >= 1


def test_unreachable_database_is_a_finding(sandbox, manifest, monkeypatch):
    dead = json.loads(os.environ["AIRFLOW_CONN_EBILL_DB"])
    dead["port"] = _closed_port()
    monkeypatch.setenv("AIRFLOW_CONN_EBILL_DB_DOWN", json.dumps(dead))
    run.inspect_database("ebill_db_down", _window())
    (finding,) = _stored(dt.date.today(), "ebill_db_down").values()
    assert (finding.check, finding.severity) == ("reachable", "critical")
    assert dead["password"] not in finding.detail


def test_endpoints_healthy_then_a_component_down_and_slow(sandbox, manifest, app_endpoint):
    summary = run.inspect_endpoints(_window())
    assert summary["critical"] == 0, summary  # (latency warnings depend on the machine's load)
    found = _stored(dt.date.today(), "endpoints")
    assert found["application:version:tomcat"].severity == "ok"
    httpx.put(
        f"{app_endpoint}/admin/faults", json={"components": {"redis": "DOWN"}, "latency_ms": 1200}, timeout=10
    )
    run.inspect_endpoints(_window())
    found = _stored(dt.date.today(), "endpoints")
    assert found["middleware:endpoint:redis"].severity == "critical"
    assert found["application:component:redis"].severity == "critical"
    slow = found["middleware:endpoint:tomcat"]
    assert slow.value >= 1200 and slow.severity != "ok"  # 1.2 s injected: over the 1 s warning


def test_application_figures_on_the_seeded_day(sandbox, manifest):
    last = dt.date.fromisoformat(manifest["generator"]["start"]) + dt.timedelta(
        days=manifest["generator"]["days"] - 1
    )
    window = Window(
        dt.datetime.combine(last, dt.time()), dt.datetime.combine(last + dt.timedelta(days=1), dt.time())
    )
    run.inspect_application(window)
    found = _stored(window.end.date(), "application")
    with psycopg.connect(sandbox.dsn("bill", "ebill_ro")) as conn:
        bills = conn.execute(
            "SELECT count(*) FROM ebill.bill WHERE ivc_date_time >= %s AND ivc_date_time < %s",
            (window.start, window.end),
        ).fetchone()[0]
    assert found["application:bills_issued:all points"].value == bills > 0
    assert found["application:issue_errors:his_issue"].severity == "ok"
    stuck = [t for t in manifest["transit"] if t["kind"] == "before_supervision"]
    backlog = found["application:transit_backlog:before_supervision"]
    assert 0 < backlog.value <= len(stuck) and backlog.severity == "warning"


@pytest.mark.integration
def test_a_critical_alert_whose_mail_fails_is_mailed_by_the_retry(
    sandbox, manifest, smtp_down, forget_incidents
):
    """The incidents commit with their mail: SMTP down fails the task, the retry mails the critical."""
    from ebill_ops.inspect import notify
    from ebill_ops.inspect.findings import Finding
    from sandbox import smtp_sink

    finding = Finding("host", "disk_used_pct", "/data", 97.0, "%", ">= 95", "critical", "清理 free space")
    forget_incidents(notify.PREFIX + "retry-test:")
    smtp_sink.clear(sandbox)
    try:
        with smtp_down(), pytest.raises(OSError):
            notify.alert_criticals([("retry-test", finding)])
        assert notify.alert_criticals([("retry-test", finding)]) == {"alerted": 1, "recovered": 0}
        [mail] = smtp_sink.wait_for(sandbox, lambda m: "ebill_daily_inspection" in m["Subject"], timeout=30)
        assert (
            "CRITICAL" in mail["Subject"] and "/data" in mail.get_body(preferencelist=("html",)).get_content()
        )
        assert notify.alert_criticals([("retry-test", finding)]) == {"alerted": 0, "recovered": 0}
    finally:
        forget_incidents(notify.PREFIX + "retry-test:")


@pytest.mark.integration
def test_a_report_whose_run_row_fails_to_save_is_mailed_once_by_the_retry(sandbox, manifest, monkeypatch):
    """The report mail commits with its inspection_run row: a failed write sends nothing, so the
    retry's mail is the only one (the mail used to go out first and the retry sent it again)."""
    from sandbox import smtp_sink

    window = Window(dt.datetime(2021, 3, 1), dt.datetime(2021, 3, 2))  # an old day: no live checks
    check_date = run.check_date_of(window)

    def forget_run():
        with db.connect("ebops_db", read_only=False) as ops:
            ops.execute("inspect/delete_run", {"check_date": check_date})

    def reports():
        return [m for m in smtp_sink.messages(sandbox) if f"日常巡检 {check_date}" in m["Subject"]]

    real_save_run = store.save_run

    def broken_save_run(ops, row):
        real_save_run(ops, row)
        raise RuntimeError("the ebops database went away")

    forget_run()
    smtp_sink.clear(sandbox)
    try:
        monkeypatch.setattr(store, "save_run", broken_save_run)
        with pytest.raises(RuntimeError, match="went away"):
            run.finish(window, None)
        assert reports() == []
        with db.connect("ebops_db") as ops:
            assert store.get_run(ops, check_date) is None  # rolled back with the unsent mail
        monkeypatch.setattr(store, "save_run", real_save_run)
        summary = run.finish(window, None)
        assert summary["report_mailed_to"] and summary["incomplete_checks"] == ["application"]
        assert len(reports()) == 1
        assert run.finish(window, None)["report_mailed_to"] == []  # same content: no second mail
        assert len(reports()) == 1
    finally:
        forget_run()
