"""The deadline e-mail (Airflow 3's SLA) under a real ``airflow standalone``.

``dag.test()`` cannot run a DAG with a deadline (apache/airflow#73428), so this test starts
``airflow standalone`` (scheduler, triggerer, DAG processor, API server; SQLite) in its own
AIRFLOW_HOME with a test-only DAG whose task overruns a one-minute deadline built by
``ebill_ops.alerts.deadline_alerts``. It triggers the DAG through the REST API, waits for the
deadline mail in the sandbox's SMTP sink, then lets the task fail (the failure mail, with its log
link and runbook section) and runs it once more successfully (the recovery notice). Standalone is
stopped by killing its process group.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

REPO = Path(__file__).resolve().parent.parent
DAG_ID = "ebops_deadline_probe"
PROBE_DAG = textwrap.dedent(
    '''
    """Test-only DAG: one task that waits for a flag file, then fails or succeeds as asked."""
    from datetime import timedelta
    from pathlib import Path

    import pendulum
    from airflow.sdk import Param, dag, task

    from ebill_ops import alerts

    FLAG = Path(__file__).with_name("release.flag")


    @dag(
        dag_id="{dag_id}",
        schedule=None,
        start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai"),
        catchup=False,
        params={{"fail": Param(False, type="boolean")}},
        deadline=alerts.deadline_alerts("{dag_id}", interval=timedelta(minutes=1)),
        default_args={{"retries": 0, "on_failure_callback": alerts.task_failure_callback}},
        on_success_callback=alerts.dag_success_callback,
    )
    def probe():
        @task
        def overrun(params=None):
            import time

            stop = time.monotonic() + 600
            while not FLAG.exists() and time.monotonic() < stop:
                time.sleep(1)
            if params["fail"]:
                raise RuntimeError("the probe was told to fail")
            return "done"

        overrun()


    probe()
    '''
).format(dag_id=DAG_ID)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _poll(what: str, probe, timeout: float, interval: float = 1.0):
    """Call ``probe`` until it returns something truthy; fail with ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            result = probe()
            if result:
                return result
        except (httpx.HTTPError, OSError, ValueError, KeyError) as exc:
            last_error = exc
        time.sleep(interval)
    raise TimeoutError(f"{what} not reached within {timeout}s (last error: {last_error!r})")


@pytest.fixture
def standalone(sandbox, tmp_path):
    """``airflow standalone`` in its own home and process group; killed as a group afterwards."""
    home = tmp_path / "airflow"
    dags = tmp_path / "dags"
    home.mkdir()
    dags.mkdir()
    (dags / f"{DAG_ID}.py").write_text(PROBE_DAG)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW__")}
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{base}/execution/",
            "AIRFLOW__API__PORT": str(port),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__BASE_URL": base,
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
            "EBILL_OPS_HOME": str(REPO),
            "PYTHONPATH": os.pathsep.join([str(REPO / "plugins"), str(REPO)]),
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        }
    )
    log = (tmp_path / "standalone.log").open("wb")
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "airflow"), "standalone"],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: scheduler, triggerer, API server, workers
    )
    try:
        _poll(
            "airflow standalone healthy",
            lambda: (
                proc.poll() is None
                and httpx.get(f"{base}/api/v2/monitor/health", timeout=5).json()["scheduler"]["status"]
                == "healthy"
            ),
            timeout=240,
            interval=2,
        )
        passwords = home / "simple_auth_manager_passwords.json.generated"
        secret = _poll("admin password file", lambda: json.loads(passwords.read_text()), timeout=60)
        user, password = next(iter(secret.items()))
        token = httpx.post(
            f"{base}/auth/token", json={"username": user, "password": password}, timeout=10
        ).json()["access_token"]
        client = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=15)
        yield client, dags / "release.flag", tmp_path / "standalone.log"
        client.close()
    finally:
        _stop_group(proc)
        log.close()


def _live_members(pgid: int) -> list[int]:
    """Processes of the group that still run (zombies waiting for their reaper do not count)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            alive.append(int(stat.parent.name))
    return alive


def _stop_group(proc: subprocess.Popen) -> None:
    """SIGTERM the whole standalone group, wait for every member, SIGKILL what is left."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + 45
        while time.monotonic() < deadline:
            if proc.poll() is not None and not _live_members(proc.pid):
                return
            time.sleep(0.5)


def _trigger(client: httpx.Client, fail: bool) -> str:
    response = client.post(
        f"/api/v2/dags/{DAG_ID}/dagRuns", json={"logical_date": None, "conf": {"fail": fail}}
    )
    response.raise_for_status()
    return response.json()["dag_run_id"]


def _run_state(client: httpx.Client, run_id: str) -> str:
    return client.get(f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}").json()["state"]


def _body(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def test_deadline_failure_and_recovery_mails_under_airflow_standalone(sandbox, standalone):
    from sandbox import smtp_sink

    client, flag, log_file = standalone
    smtp_sink.clear(sandbox)
    _poll(
        "the probe DAG parsed", lambda: client.get(f"/api/v2/dags/{DAG_ID}").status_code == 200, timeout=180
    )
    client.patch(f"/api/v2/dags/{DAG_ID}", json={"is_paused": False}).raise_for_status()
    run_id = _trigger(client, fail=True)

    def mail(kind: str, timeout: float):
        try:
            return smtp_sink.wait_for(
                sandbox, lambda m: DAG_ID in m["Subject"] and kind in m["Subject"], timeout=timeout
            )[0]
        except TimeoutError as exc:
            tail = log_file.read_text(errors="replace")[-3000:]
            raise AssertionError(f"{exc}\n--- standalone log tail ---\n{tail}") from exc

    # 1. The run overruns its one-minute deadline: the triggerer mails the deadline alert.
    deadline = mail("DEADLINE MISSED", timeout=300)
    assert (
        deadline["Subject"]
        == f"[ebill-ops][sandbox][超时 DEADLINE MISSED] {DAG_ID}: run not finished within 1 min 运行超时"
    )
    assert "ebill-ops@hospital.example" in deadline["To"]
    body = _body(deadline)
    assert run_id in body and f"docs/runbooks/{DAG_ID}.md#deadline" in body
    assert _run_state(client, run_id) == "running"  # the alert came while the run was still going

    # 2. Released, the task fails: one failure mail with the interval, the log link and the runbook.
    flag.write_text("go")
    failed = mail("FAILED", timeout=240)
    body = _body(failed)
    assert "overrun" in failed["Subject"] and "RuntimeError: the probe was told to fail" in body
    assert f"/dags/{DAG_ID}/runs/" in body and f"docs/runbooks/{DAG_ID}.md#overrun" in body
    _poll("the failed run to finish", lambda: _run_state(client, run_id) == "failed", timeout=120)

    # 3. The next run succeeds before its deadline: a recovery notice, no second deadline mail.
    second = _trigger(client, fail=False)
    _poll("the second run to succeed", lambda: _run_state(client, second) == "success", timeout=240)
    recovered = mail("RECOVERED", timeout=180)
    assert "overrun" in _body(recovered)
    subjects = [m["Subject"] for m in smtp_sink.messages(sandbox) if DAG_ID in m["Subject"]]
    assert sum("DEADLINE" in s for s in subjects) == 1 and sum("FAILED" in s for s in subjects) == 1
