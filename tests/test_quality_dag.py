"""The invoice-quality DAG end to end on the sandbox: a day with violations fails the severity
gate after recording, writing the fix list and mailing; a re-run stays quiet; a clean day passes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pendulum
import pytest

from ebill_ops import db

DAG_ID = "ebill_invoice_quality"
pytestmark = pytest.mark.e2e


def test_schedule_is_the_local_day_and_the_deadline_mails(dagbag):
    assert DAG_ID in dagbag.dags, dagbag.import_errors
    dag = dagbag.dags[DAG_ID]
    interval = dag.timetable.infer_manual_data_interval(
        run_after=pendulum.datetime(2026, 12, 1, 0, 5, tz="Asia/Shanghai")
    )
    assert interval.start == pendulum.datetime(2026, 11, 30, tz="Asia/Shanghai")
    assert interval.end == pendulum.datetime(2026, 12, 1, tz="Asia/Shanghai")
    assert dag.deadline and "quality" in dag.tags and "read-only" in dag.tags
    assert next(t.task_id for t in dag.topological_sort()) == "wait_for_day_end"
    assert set(dag.params.keys()) >= {"start", "end"}


def _task_states(dagrun) -> dict[str, str]:
    return {ti.task_id: ti.state for ti in dagrun.get_task_instances()}


def test_a_day_with_critical_violations_is_recorded_mailed_and_fails_the_gate(
    run_dag, manifest, sandbox, forget_incidents
):
    from sandbox import smtp_sink

    forget_incidents("quality:")  # an earlier session's open incident would make this run "ongoing"
    smtp_sink.clear(sandbox)
    last = dt.date.fromisoformat(manifest["generator"]["start"]) + dt.timedelta(
        days=manifest["generator"]["days"] - 1
    )
    # The scheduled run for day D is the run after D: its data interval is [D, D+1).
    dagrun, xcom = run_dag(DAG_ID, last + dt.timedelta(days=1))
    states = _task_states(dagrun)
    assert states == {
        "wait_for_day_end": "success",
        "validate_day": "success",
        "write_fix_list": "success",
        "mail_report": "success",
        "enforce_severity": "failed",
    }, states
    assert dagrun.state == "failed"
    summary = xcom("validate_day")
    assert summary["first_day"] == summary["last_day"] == last.isoformat()
    expected = {e["rule"] for e in manifest["spec"] if e["biz_date"] == last.isoformat()}
    assert {r["rule_id"] for r in summary["rules"] if r["failed"]} == expected
    fix_list = xcom("write_fix_list")
    assert Path(fix_list.removeprefix("file://")).is_file()
    assert xcom("mail_report")["mailed"] is True
    mail = smtp_sink.wait_for(
        sandbox, lambda m: DAG_ID in m["Subject"] and "CRITICAL" in m["Subject"], timeout=30
    )[0]
    body = mail.get_body(preferencelist=("html",)).get_content()
    for rule_id in expected:
        assert rule_id in body
    assert "整改清单 Fix list" in body and fix_list in body and "What to do" in body
    with db.connect("ebops_db") as ops:
        stored = ops.rows_sql(
            "SELECT count(*) AS n FROM ebops.quality_failure WHERE check_day = %(d)s", {"d": last}
        )[0]["n"]
    assert stored == summary["failures"] > 0

    # The same findings again: recorded again, gate fails again, no second quality mail.
    smtp_sink.clear(sandbox)
    dagrun, xcom = run_dag(DAG_ID, last + dt.timedelta(days=1))
    assert _task_states(dagrun)["enforce_severity"] == "failed"
    assert xcom("mail_report") == {"mailed": False, "decision": "ongoing", "severity": "critical"}
    assert not [m for m in smtp_sink.messages(sandbox) if DAG_ID in m["Subject"]]


def test_a_manual_recheck_of_a_clean_day_succeeds(run_dag, manifest):
    with db.connect("ebill_db") as bill:
        day = bill.rows_sql(
            "SELECT max(bus_date_time)::date AS d FROM ebill.bill WHERE bus_date_time < %(s)s",
            {"s": dt.date.fromisoformat(manifest["generator"]["start"])},
        )[0]["d"]
    dagrun, xcom = run_dag(DAG_ID, dt.date.today(), start=day.isoformat())
    assert dagrun.state == "success", _task_states(dagrun)
    result = xcom("enforce_severity")
    assert result["first_day"] == result["last_day"] == day.isoformat()
    assert result["bills"] > 0 and result["critical_failed"] == [] and result["failures"] == 0
