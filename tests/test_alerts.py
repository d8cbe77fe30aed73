"""The notifier module: subjects, deadline alerts, failure mails without storms, recovery notices.

Every mail goes through the sandbox's real SMTP sink and is read back: subject, recipients and
the key facts in the body. (The deadline mail itself is proven under ``airflow standalone`` in
``test_standalone_deadline.py``: ``dag.test()`` cannot run deadlines, apache/airflow#73428.)
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
from dataclasses import dataclass
from datetime import timedelta

import pytest

from ebill_ops import alerts
from ebill_ops.alerts import alerted_failure, deadline_alerts, subject


@dataclass
class TaskInstanceFacts:
    """What the task runner hands a failure callback as ``context["ti"]`` (the fields we read)."""

    dag_id: str
    task_id: str
    run_id: str
    try_number: int = 4
    log_url: str = "http://127.0.0.1:8080/dags/d/runs/r/tasks/t?try_number=4"


def _context(dag_id: str, task_id: str, error: Exception) -> dict:
    return {
        "ti": TaskInstanceFacts(dag_id, task_id, "scheduled__2026-11-30T22:00:00+00:00"),
        "exception": error,
        "run_id": "scheduled__2026-11-30T22:00:00+00:00",
        "data_interval_start": dt.datetime(2026, 11, 29, 22, 0, tzinfo=dt.UTC),
        "data_interval_end": dt.datetime(2026, 11, 30, 22, 0, tzinfo=dt.UTC),
    }


def _body(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def test_subject_has_one_shape():
    assert subject("failed", "ebill_x", "boom") == "[ebill-ops][sandbox][失败 FAILED] ebill_x: boom"
    assert "超时 DEADLINE MISSED" in subject("deadline", "d", "x")


def test_deadline_alert_mails_through_the_smtp_notifier_with_a_configurable_interval():
    (default,) = deadline_alerts("ebill_stock_watch")
    assert default.interval == timedelta(minutes=60)  # common.deadlines_minutes
    (short,) = deadline_alerts("ebops_probe", interval=timedelta(minutes=1))
    assert short.interval == timedelta(minutes=1)
    callback = short.callback
    assert "SmtpNotifier" in callback.path and callback.path.startswith("airflow.providers.smtp")
    kwargs = callback.kwargs
    assert kwargs["to"] == ["ebill-ops@hospital.example"] and kwargs["smtp_conn_id"] == "smtp_default"
    assert "[超时 DEADLINE MISSED] ebops_probe: run not finished within 1 min" in kwargs["subject"]
    body = kwargs["html_content"]
    assert "{{ dag_run.dag_run_id }}" in body and "{{ deadline.deadline_time }}" in body
    assert "docs/runbooks/ebops_probe.md#deadline" in body


@pytest.mark.integration
def test_failure_mails_once_per_incident_and_recovery_mails_once(sandbox):
    from sandbox import smtp_sink

    dag_id = f"ebops_alert_probe_{os.getpid()}"
    smtp_sink.clear(sandbox)
    error = RuntimeError("connection to server at 10.0.0.5 failed\nsecond line")
    alerts.task_failure_callback(_context(dag_id, "load_day", error))
    mail = smtp_sink.wait_for(sandbox, lambda m: dag_id in m["Subject"], timeout=30)[0]
    assert mail["Subject"].startswith("[ebill-ops][sandbox][失败 FAILED]")
    assert "ebill-ops@hospital.example" in mail["To"]
    body = _body(mail)
    for fact in ("load_day", "RuntimeError: connection to server at 10.0.0.5 failed", "try_number=4",
                 f"docs/runbooks/{dag_id}.md#load_day", "2026-11-30 06:00:00 +08:00"):  # fmt: skip
        assert fact in body, fact
    assert "second line" not in body
    # The next run fails the same way: an ongoing incident, no second mail.
    alerts.task_failure_callback(_context(dag_id, "load_day", error))
    # Another task of the DAG failing is a new incident.
    alerts.task_failure_callback(_context(dag_id, "report", ValueError("bad")))
    smtp_sink.wait_for(sandbox, lambda m: dag_id in m["Subject"] and "report" in m["Subject"], timeout=30)
    assert len([m for m in smtp_sink.messages(sandbox) if dag_id in m["Subject"]]) == 2
    # Success closes both incidents with one recovery notice.
    alerts.dag_success_callback({"dag_run": type("Run", (), {"dag_id": dag_id, "run_id": "manual__1"})()})
    recovered = smtp_sink.wait_for(
        sandbox, lambda m: dag_id in m["Subject"] and "RECOVERED" in m["Subject"], timeout=30
    )
    assert len(recovered) == 1 and "load_day" in _body(recovered[0]) and "report" in _body(recovered[0])
    alerts.dag_success_callback({"dag_run": type("Run", (), {"dag_id": dag_id, "run_id": "manual__2"})()})
    assert (
        len(
            [m for m in smtp_sink.messages(sandbox) if "RECOVERED" in m["Subject"] and dag_id in m["Subject"]]
        )
        == 1
    )


@pytest.mark.integration
def test_already_alerted_failures_are_not_mailed_again(sandbox):
    from sandbox import smtp_sink

    dag_id = f"ebops_alerted_probe_{os.getpid()}"
    smtp_sink.clear(sandbox)
    alerts.task_failure_callback(_context(dag_id, "conclude", alerted_failure("backup failed verification")))
    alerts.task_failure_callback(_context(dag_id, "other", RuntimeError("real failure")))
    smtp_sink.wait_for(sandbox, lambda m: dag_id in m["Subject"], timeout=30)
    subjects = [m["Subject"] for m in smtp_sink.messages(sandbox) if dag_id in m["Subject"]]
    assert len(subjects) == 1 and "other" in subjects[0]


@pytest.mark.integration
def test_failure_still_mails_when_ebops_is_down(sandbox, monkeypatch):
    """The failure may be ebops itself: without incident bookkeeping the mail still goes out."""
    from sandbox import smtp_sink

    dead = json.loads(os.environ["AIRFLOW_CONN_EBOPS_DB"])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead["port"] = s.getsockname()[1]
    monkeypatch.setenv("AIRFLOW_CONN_EBOPS_DB", json.dumps(dead))
    dag_id = f"ebops_down_probe_{os.getpid()}"
    smtp_sink.clear(sandbox)
    alerts.task_failure_callback(_context(dag_id, "t", RuntimeError("ebops down")))
    alerts.task_failure_callback(_context(dag_id, "t", RuntimeError("ebops down")))
    assert len(smtp_sink.wait_for(sandbox, lambda m: dag_id in m["Subject"], timeout=30, count=2)) == 2


@pytest.mark.integration
def test_notify_outcomes_sends_one_mail_per_kind(sandbox):
    from ebill_ops.incidents import Outcome
    from sandbox import smtp_sink

    smtp_sink.clear(sandbox)
    rows = [
        (
            Outcome("open", "k1", "critical", "s"),
            {"severity": "critical", "check": "磁盘", "target": "db1:/u01", "value": "96 %"},
        ),
        (
            Outcome("escalate", "k2", "critical", "s"),
            {"severity": "critical", "check": "负载", "target": "db1"},
        ),
        (
            Outcome("ongoing", "k3", "critical", "s"),
            {"severity": "critical", "check": "x", "target": "quiet-one"},
        ),
        (Outcome("recover", "k4", "ok", "s"), {"severity": "ok", "check": "服务", "target": "app1:tomcat"}),
    ]
    result = alerts.notify_outcomes(
        "ebops_probe", rows, title="probe", links={"Report 报告": "file:///r.html"}
    )
    assert result == {"alerted": 2, "recovered": 1}
    mails = smtp_sink.wait_for(sandbox, lambda m: "ebops_probe" in m["Subject"], timeout=30, count=2)
    critical = next(m for m in mails if "CRITICAL" in m["Subject"])
    assert (
        "db1:/u01" in _body(critical)
        and "quiet-one" not in _body(critical)
        and "file:///r.html" in _body(critical)
    )
    recovered = next(m for m in mails if "RECOVERED" in m["Subject"])
    assert "app1:tomcat" in _body(recovered)
