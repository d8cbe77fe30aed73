"""``ebill_year_end`` end to end with ``dag.test()`` on the sandbox.

The default run is a dry run that changes nothing; the digest of the reviewed plan in the
trigger form applies exactly that plan; a re-run finds nothing to do; a wrong digest changes
nothing; the human-in-the-loop approval is answered through Airflow's own REST API (as the
Required Actions page does) by a named user, and a rejection changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import shutil
import threading
import time
from pathlib import Path

import psycopg
import pytest

from tests.test_yearend_sandbox import (
    AS_OF,
    TARGET,
    december_config,
    insert_next_year,
    partitions,
    reset_year_end,
    write_config,
)

DAG_ID = "ebill_year_end"
pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def december_dag(reseed, sandbox, tmp_path_factory, dagbag):
    manifest = reseed(december_config())
    path = write_config(tmp_path_factory.mktemp("yearend-dag"), sandbox)
    # run_dag removes the deadline from the session's DAG object (apache/airflow#73428): put it
    # back afterwards so the DAG-integrity policy still sees it in the same session.
    deadline = dagbag.dags[DAG_ID].deadline
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EBILL_OPS_CONFIG", str(path))
        reset_year_end(sandbox)
        yield manifest
    dagbag.dags[DAG_ID].deadline = deadline
    reset_year_end(sandbox)
    shutil.rmtree(sandbox.files_dir / "layout" / "_archive", ignore_errors=True)


def trigger(run_dag, **conf):
    """Every param explicitly: dag.test() on a shared DAG object keeps params of an earlier run."""
    full = {
        "mode": "dry_run",
        "approved_plan": None,
        "parts": ["database", "layout"],
        "target_year": None,
        **conf,
    }
    return run_dag(DAG_ID, AS_OF, **full)


def states(dagrun) -> dict[str, str]:
    return {ti.task_id: str(ti.state) for ti in dagrun.get_task_instances()}


def old_layout(sandbox) -> list[tuple[int, str, str | None]]:
    with psycopg.connect(sandbox.dsn("bill", "ebill_ro")) as conn:
        return conn.execute(
            "SELECT bill_id, file_path, archive_path FROM ebill.layout_file WHERE ivc_date < %s ORDER BY bill_id",
            (dt.date(TARGET - 2, 1, 1),),
        ).fetchall()


def ledger(sandbox) -> list[tuple]:
    with psycopg.connect(sandbox.dsn("ebops", "ebops_rw")) as conn:
        return conn.execute(
            "SELECT status, approved_by, count(*) FROM ebops.yearend_statement WHERE target_year = %s "
            "GROUP BY 1, 2 ORDER BY 1, 2",
            (TARGET,),
        ).fetchall()


def test_dry_run_changes_nothing_then_the_reviewed_digest_applies_exactly_that_plan(
    december_dag, run_dag, sandbox
):
    from sandbox import smtp_sink

    smtp_sink.clear(sandbox)
    files_before = old_layout(sandbox)
    root = sandbox.files_dir / "layout"
    assert files_before and all((root / p).is_file() for _, p, _ in files_before)

    dagrun, xcom = trigger(run_dag)
    assert dagrun.state == "success", states(dagrun)
    dry = xcom("finish")
    assert dry["mode"] == "dry_run" and dry["target_year"] == TARGET
    assert dry["statements_planned"] == 15 and dry["layout_files_planned"] == len(files_before)
    assert dry["applied_statements"] == 0 and dry["layout_released"] == 0
    assert {"stock", "database"} <= set(dry["readiness_failed"])
    ran = states(dagrun)
    assert ran["approve"] == ran["approved_in_form"] == ran["approved"] == "skipped"
    assert ran["apply_database"] == ran["pack_layout"] == ran["verify_database"] == "skipped"
    # Nothing changed: no partition, no archive, every original in place.
    assert f"bill_y{TARGET}" not in partitions(sandbox)
    assert old_layout(sandbox) == files_before and not (root / "_archive").exists()
    # The review: a file, and a mail that names the digest and lists the statements.
    report = xcom("review")
    assert Path(report["report_url"].removeprefix("file://")).is_file()
    mail = smtp_sink.wait_for(
        sandbox, lambda m: DAG_ID in m["Subject"] and dry["digest"] in m["Subject"], timeout=30
    )[0]
    body = mail.get_body(preferencelist=("html",)).get_content()
    assert (
        "年末计划 Year-end plan" in body
        and f"CREATE TABLE ebill.bill_y{TARGET} PARTITION OF ebill.bill" in body
    )
    assert f"approved_plan = {dry['digest']}" in body and "业务准备 Business readiness" in body
    assert "[告警 ALERT]" in mail["Subject"]  # readiness fails: one point has no stock

    smtp_sink.clear(sandbox)
    dagrun, xcom = trigger(run_dag, mode="apply", approved_plan=dry["digest"])
    assert dagrun.state == "success", states(dagrun)
    done = xcom("finish")
    assert done["digest"] == dry["digest"]
    assert done["applied_statements"] == 15 and done["layout_released"] == 24
    assert states(dagrun)["approve"] == "skipped"
    assert xcom("verify_database")["failed_checks"] == []
    insert_next_year(sandbox)
    archived = old_layout(sandbox)
    assert all(a for _, _, a in archived) and not any((root / p).exists() for _, p, _ in archived)
    assert ledger(sandbox) == [("applied", "dag_test via trigger form (approved_plan)", 15)]
    subjects = [m["Subject"] for m in smtp_sink.messages(sandbox)]
    assert any("applied, verified" in s for s in subjects), subjects

    # Run again (as-of day from the trigger form this time): nothing to do, nothing to approve.
    dagrun, xcom = trigger(run_dag, start=AS_OF.isoformat())
    again = xcom("finish")
    assert again["statements_planned"] == 0 and again["layout_files_planned"] == 0
    assert "database" not in again["readiness_failed"]
    dagrun, xcom = trigger(run_dag, mode="apply", approved_plan=again["digest"])
    assert dagrun.state == "success" and states(dagrun)["apply_database"] == "skipped"


def test_a_digest_that_is_not_the_current_plan_changes_nothing(december_dag, run_dag, sandbox):
    reset_year_end(sandbox)
    dagrun, _ = trigger(run_dag, mode="apply", approved_plan="0123456789abcdef", parts=["database"])
    assert dagrun.state == "failed"
    ran = states(dagrun)
    assert ran["gate"] == "failed" and ran["apply_database"] in ("upstream_failed", "skipped")
    assert f"bill_y{TARGET}" not in partitions(sandbox)


# --- human in the loop --------------------------------------------------------------------------


class Approver(threading.Thread):
    """A person answering the approval through Airflow's REST API, as the Required Actions page does."""

    def __init__(self, tmp_path: Path, choice: str, monkeypatch) -> None:
        super().__init__(daemon=True)
        self.choice = choice
        self.password = secrets.token_urlsafe(16)
        passwords = tmp_path / "passwords.json"
        passwords.touch(mode=0o600)
        passwords.write_text(json.dumps({"approver": self.password}))
        monkeypatch.setenv("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS", "approver:admin")
        monkeypatch.setenv("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE", str(passwords))
        self.seen: dict | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            from airflow.api_fastapi.app import create_app
            from fastapi.testclient import TestClient

            client = TestClient(create_app("core"))
            token = client.post(
                "/auth/token", json={"username": "approver", "password": self.password}
            ).json()
            auth = {"Authorization": f"Bearer {token['access_token']}"}
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                found = client.get(
                    f"/api/v2/dags/{DAG_ID}/dagRuns/~/hitlDetails",
                    params={"response_received": False},
                    headers=auth,
                ).json()["hitl_details"]
                waiting = [d for d in found if d["task_instance"]["state"] == "awaiting_input"]
                if waiting:
                    detail = waiting[0]
                    self.seen = detail
                    ti = detail["task_instance"]
                    answer = client.patch(
                        f"/api/v2/dags/{DAG_ID}/dagRuns/{ti['dag_run_id']}/taskInstances/{ti['task_id']}/-1/hitlDetails",
                        json={"chosen_options": [self.choice], "params_input": {}},
                        headers=auth,
                    )
                    answer.raise_for_status()
                    return
                time.sleep(0.5)  # polling the API for the request, not a timing assumption
            raise TimeoutError("no approval request appeared")
        except BaseException as exc:
            self.error = exc


@pytest.mark.parametrize("choice", ["Approve", "Reject"])
def test_approval_in_the_airflow_ui(december_dag, run_dag, sandbox, tmp_path, monkeypatch, choice):
    reset_year_end(sandbox)
    approver = Approver(tmp_path, choice, monkeypatch)
    approver.start()
    dagrun, _ = trigger(run_dag, mode="apply", parts=["database"])
    approver.join(timeout=60)
    assert approver.error is None, approver.error
    assert approver.seen is not None
    assert "Approve the year-end plan" in approver.seen["subject"]
    assert f"CREATE TABLE ebill.bill_y{TARGET}" in approver.seen["body"]
    assert dagrun.state == "success", states(dagrun)
    ran = states(dagrun)
    assert ran["approved_in_form"] == "skipped" and ran["pack_layout"] == "skipped"
    if choice == "Approve":
        assert ran["apply_database"] == "success"
        assert f"bill_y{TARGET}" in partitions(sandbox)
        assert ("applied", "approver (approver) via Airflow UI", 15) in ledger(sandbox)
    else:
        assert ran["approved"] == ran["apply_database"] == "skipped"
        assert f"bill_y{TARGET}" not in partitions(sandbox)
