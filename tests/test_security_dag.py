"""The weekly security audit end to end with ``dag.test()`` on the sandbox: ground truth found,
one mail, no second mail for the same findings, a cleared finding mailed once, no secret anywhere."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

from ebill_ops import db

pytestmark = pytest.mark.e2e
DAG_ID = "ebill_security_audit"


def _security_mails(sandbox) -> list:
    from sandbox import smtp_sink

    return [m for m in smtp_sink.messages(sandbox) if DAG_ID in str(m["Subject"])]


def _week_rows(audit_week: str) -> list[dict]:
    with db.connect("ebops_db") as ops:
        return ops.rows_sql(
            "SELECT source, rule, target, severity, detail, advice, accepted FROM ebops.security_finding "
            "WHERE audit_week = %(w)s ORDER BY source, rule, target",
            {"w": dt.date.fromisoformat(audit_week)},
        )


def test_weekly_audit_end_to_end(run_dag, sandbox, manifest, capfd, caplog):
    from sandbox import smtp_sink
    from sandbox.generator import profile

    caplog.set_level(logging.DEBUG, logger="ebill_ops")  # the secret scan reads every log line
    smtp_sink.clear(sandbox)
    today = dt.date.today()
    with db.connect("ebops_db", read_only=False) as ops:  # a fresh start for this test's incidents
        ops.execute_sql("DELETE FROM ebops.alert_incident WHERE alert_key LIKE 'security:%%'")
    dagrun, xcom = run_dag(DAG_ID, today)
    assert dagrun.state == "success", {ti.task_id: ti.state for ti in dagrun.get_task_instances()}
    summary = xcom("report")
    assert summary["live"] and summary["missing_sources"] == []
    assert set(summary["sources"]) == {"app:ebill_db", "db:ebill_db"}
    assert summary["new"] == summary["critical"] + summary["warning"] > 0

    rows = _week_rows(summary["audit_week"])
    app = [r for r in rows if r["source"] == "app:ebill_db"]
    for kind in ("weak_password", "locked", "expired"):
        assert {r["target"] for r in app if r["rule"] == kind} == {
            u["login_name"] for u in manifest["users"] if u["kind"] == kind
        }
    flagged = {u["login_name"] for u in manifest["users"]}
    assert not [r for r in app if r["target"] not in flagged and r["severity"] != "info"]

    report = Path(urlsplit(summary["report_url"]).path).read_text(encoding="utf-8")
    assert "安全审计报告 Security audit report" in report and summary["week"] in report
    assert "cashier11" in report and "弱口令 Weak password" in report and "无权读取 Not readable" in report
    [mail] = _security_mails(sandbox)
    # The weak admin password is critical, so the mail is too.
    assert "安全审计" in mail["Subject"] and "CRITICAL" in mail["Subject"] and "[sandbox]" in mail["Subject"]
    body = mail.get_body(preferencelist=("html",)).get_content()
    assert "新增/加重 new or worse" in body and summary["report_url"] in body

    # The same findings next run: nothing new, no mail; the week's rows are replaced, not added.
    dagrun, xcom = run_dag(DAG_ID, today)
    again = xcom("report")
    assert dagrun.state == "success" and again["new"] == 0 and again["mailed_to"] == []
    assert len(_security_mails(sandbox)) == 1
    assert _week_rows(summary["audit_week"]) == rows

    # A locked user is unlocked: that finding clears, one recovery mail.
    unlocked = sorted(u["login_name"] for u in manifest["users"] if u["kind"] == "locked")[0]
    with psycopg.connect(sandbox.admin_dsn("bill"), autocommit=True) as conn:
        conn.execute(
            "UPDATE ebill.app_user SET locked = false, failed_logins = 0 WHERE login_name = %s", (unlocked,)
        )
        try:
            dagrun, xcom = run_dag(DAG_ID, today)
        finally:
            conn.execute(
                "UPDATE ebill.app_user SET locked = true, failed_logins = 6 WHERE login_name = %s",
                (unlocked,),
            )
    cleared = xcom("report")
    assert cleared["new"] == 0 and cleared["recovered"] == 1 and cleared["mailed_to"]
    mails = _security_mails(sandbox)
    assert len(mails) == 2 and "RECOVERED" in mails[-1]["Subject"]
    assert unlocked in mails[-1].get_body(preferencelist=("html",)).get_content()

    # Nothing secret anywhere: not the weak plaintext, not a hash, not a salt.
    with psycopg.connect(sandbox.admin_dsn("bill")) as conn:
        stored = conn.execute("SELECT password_hash, password_salt FROM ebill.app_user").fetchall()
    # The generator's weak passwords that cannot occur in ordinary text (letters and digits mixed).
    plain = {p for p in profile.WEAK_PASSWORDS if any(c.isdigit() for c in p) and any(c.isalpha() for c in p)}
    assert "admin123" in plain
    secrets = plain | {v for row in stored for v in row}
    with db.connect("ebops_db") as ops:
        incidents = ops.rows_sql("SELECT * FROM ebops.alert_incident WHERE alert_key LIKE 'security:%%'")
    xcoms = [xcom(t) for t in ("audit_app_users", "report")]
    out, err = capfd.readouterr()
    texts = {
        "mails": "".join(m.as_string() for m in smtp_sink.messages(sandbox)),
        "report": report,
        "ebops": json.dumps(rows, default=str) + json.dumps(incidents, default=str),
        "xcom": json.dumps(xcoms, default=str),
        "logs": out + err + caplog.text,
    }
    assert "application users on ebill_db" in texts["logs"]  # the scan below reads the task logs
    for where, text in texts.items():
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"{len(leaked)} secret value(s) in {where}"


def test_backfill_of_a_past_week_reaudits_nothing_and_mails_nothing(run_dag, sandbox, manifest):
    from sandbox import smtp_sink

    smtp_sink.clear(sandbox)
    past = dt.date.today() - dt.timedelta(days=60)
    dagrun, xcom = run_dag(DAG_ID, past)
    assert dagrun.state == "success"
    assert dagrun.get_task_instance("audit_app_users").state == "skipped"
    summary = xcom("report")
    assert summary["live"] is False and summary["mailed_to"] == [] and summary["new"] == 0
    assert "补跑" in Path(urlsplit(summary["report_url"]).path).read_text(encoding="utf-8")
    assert _security_mails(sandbox) == []


def test_a_missing_weak_list_fails_clearly_and_the_rest_still_reports(
    run_dag, sandbox, manifest, tmp_path, monkeypatch
):
    """Bad configuration: a clear, non-retried failure with one mail; the database audit and the
    report still run and name what was not audited."""
    import os

    import yaml

    from sandbox import smtp_sink

    config = yaml.safe_load(Path(os.environ["EBILL_OPS_CONFIG"]).read_text(encoding="utf-8")) or {}
    config["security"] = {"weak": {"list_file": str(tmp_path / "no-such-list.txt")}}
    path = tmp_path / "ebill_ops.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("EBILL_OPS_CONFIG", str(path))
    smtp_sink.clear(sandbox)
    today = dt.date.today()
    dagrun, xcom = run_dag(DAG_ID, today)
    assert dagrun.state == "failed"
    failed = dagrun.get_task_instance("audit_app_users")
    assert failed.state == "failed" and failed.try_number == 1  # AirflowFailException: no retries
    summary = xcom("report")
    assert summary["missing_sources"] == ["app:ebill_db"] and summary["sources"] == ["db:ebill_db"]
    assert {
        "source": "db:ebill_db",
        "rule": "check_failed",
        "target": "weak_list",
        "severity": "warning",
    } in summary["findings"]  # the database's account and policy checks still ran
    mails = _security_mails(sandbox)
    failure = [m for m in mails if "FAILED" in m["Subject"]]
    assert len(failure) == 1 and "audit_app_users" in failure[0]["Subject"]
    assert "weak-password list not found" in failure[0].get_body(preferencelist=("html",)).get_content()
    # Fixed: the next run succeeds and one recovery notice closes the failure.
    monkeypatch.undo()
    smtp_sink.clear(sandbox)
    dagrun, xcom = run_dag(DAG_ID, today)
    assert dagrun.state == "success" and xcom("report")["missing_sources"] == []
    assert [
        m
        for m in _security_mails(sandbox)
        if "RECOVERED" in m["Subject"] and "audit_app_users" in m["Subject"]
    ]
