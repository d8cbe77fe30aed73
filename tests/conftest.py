"""Test harness: a real sandbox (PostgreSQL + simulators) once per session, Airflow on SQLite.

The environment is set before anything imports Airflow. The test sandbox lives apart from the
demo's (``.sandbox/test``, port base 56400) so that both can run at once; ``EBILL_TEST_PG_URL``
points it at an existing PostgreSQL server instead of starting one.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TEST_SANDBOX = Path(os.environ.get("EBILL_TEST_SANDBOX_DIR", REPO / ".sandbox" / "test"))
AIRFLOW_HOME = TEST_SANDBOX / "airflow"

os.environ["EBILL_SANDBOX_DIR"] = str(TEST_SANDBOX)
if "EBILL_SANDBOX_PORT_BASE" not in os.environ:
    # 56400 unless another program holds those ports (e.g. a second checkout's test sandbox).
    from sandbox.settings import free_port_base

    os.environ["EBILL_SANDBOX_PORT_BASE"] = str(free_port_base(TEST_SANDBOX, 56400))
os.environ["AIRFLOW_HOME"] = str(AIRFLOW_HOME)
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(REPO / "dags")
os.environ["AIRFLOW__CORE__PLUGINS_FOLDER"] = str(REPO / "plugins")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{AIRFLOW_HOME}/airflow.db"
os.environ["AIRFLOW__LOGGING__LOGGING_LEVEL"] = "WARNING"
os.environ.setdefault("EBILL_OPS_ARTIFACTS_URL", f"file://{TEST_SANDBOX}/artifacts")
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(REPO / "plugins"), str(REPO), os.environ.get("PYTHONPATH", "")]
)
AIRFLOW_HOME.mkdir(parents=True, exist_ok=True)


def _test_settings_file() -> Path:
    """The project's settings with quick retries, so a task failing on purpose in ``dag.test()``
    does not wait minutes between tries (the retry policy itself is asserted on the DAGs)."""
    import yaml

    data = yaml.safe_load((REPO / "include" / "config" / "ebill_ops.yaml").read_text()) or {}
    data.setdefault("common", {})["retry"] = {
        "retries": 2,
        "retry_delay_seconds": 1,
        "max_retry_delay_seconds": 2,
    }
    path = TEST_SANDBOX / "ebill_ops.test.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


os.environ.setdefault("EBILL_OPS_CONFIG", str(_test_settings_file()))

# Days the session's data covers: the last few days before today, so "recent" is real.
TODAY = dt.date.today()
TEST_DAYS = 4
TEST_START = TODAY - dt.timedelta(days=TEST_DAYS)


def test_generator_config():
    from sandbox.generator.config import GeneratorConfig

    return GeneratorConfig(
        seed=424242,
        start=TEST_START,
        days=TEST_DAYS,
        bills_per_day=1200,
        today=TODAY,
        history_years=3,
        history_bills_per_month=6,
    )


@pytest.fixture(scope="session")
def sandbox_settings():
    from sandbox.settings import SandboxSettings

    return SandboxSettings()


@pytest.fixture(scope="session")
def sandbox(sandbox_settings):
    """The sandbox services up and the Airflow connections pointed at them."""
    from sandbox import api, connections, pg, services

    was_running = pg.is_running(sandbox_settings) and services.running_pid(sandbox_settings) is not None
    api.up(sandbox_settings)
    os.environ.update(connections.as_environ(sandbox_settings))
    yield sandbox_settings
    if not was_running and not os.environ.get("EBILL_KEEP_SANDBOX"):
        api.down(sandbox_settings)


@pytest.fixture(scope="session")
def manifest(sandbox):
    """The session's standard data set, generated once; returns its ground-truth manifest."""
    from sandbox import api

    return api.seed(sandbox, test_generator_config())


@pytest.fixture(scope="session")
def forget_incidents(sandbox):
    """``forget_incidents("failed:ebill_x:")`` drops open alert incidents under a key prefix, so the
    test's first alert mails whatever ran before it (one ongoing incident mails only once)."""
    import psycopg

    def forget(prefix: str) -> None:
        with psycopg.connect(sandbox.dsn("ebops", "ebops_rw")) as conn:
            conn.execute("DELETE FROM ebops.alert_incident WHERE alert_key LIKE %s", (prefix + "%",))

    return forget


@pytest.fixture
def smtp_down(monkeypatch):
    """``with smtp_down(): ...`` — the SMTP connection points at a port nothing listens on."""
    import contextlib
    import json
    import socket

    @contextlib.contextmanager
    def down():
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        broken = {**json.loads(os.environ["AIRFLOW_CONN_SMTP_DEFAULT"]), "port": port}
        with monkeypatch.context() as patch:
            patch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", json.dumps(broken))
            yield

    return down


@pytest.fixture(scope="module")
def reseed(sandbox, manifest):
    """``reseed(cfg)`` loads another data set for one module; the standard one is restored after.

    The standard data set is deterministic, so restoring it gives back exactly ``manifest``.
    """
    from sandbox import api

    changed = []

    def load(cfg):
        changed.append(cfg)
        return api.seed(sandbox, cfg)

    yield load
    if changed:
        api.seed(sandbox, test_generator_config())


@pytest.fixture(scope="session")
def airflow_db():
    """Airflow's metadata database (SQLite) migrated once per session."""
    subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"],
        check=True,
        capture_output=True,
        env=os.environ.copy(),
    )
    return AIRFLOW_HOME / "airflow.db"


@pytest.fixture(scope="session")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(REPO / "dags"))


@pytest.fixture
def run_dag(sandbox, airflow_db, dagbag):
    """Run a DAG with ``dag.test()`` for one logical date; returns (dagrun, xcom getter).

    ``dag.test()`` fails on DAGs with a deadline in Airflow 3.3 (apache/airflow#73428): the
    deadline is asserted by the DAG-integrity tests and removed here before the run.
    """
    import pendulum

    def run(dag_id: str, logical_date: dt.datetime | dt.date, **conf):
        dag = dagbag.get_dag(dag_id)
        assert dag is not None, f"{dag_id} not in the DagBag: {dagbag.import_errors}"
        if isinstance(logical_date, dt.date) and not isinstance(logical_date, dt.datetime):
            logical_date = pendulum.datetime(
                logical_date.year, logical_date.month, logical_date.day, tz="Asia/Shanghai"
            )
        # dag.test() writes run values into the shared Param objects; put the DAG back as it was
        # so that later tests (and the deadline policy test) see the DAG as parsed.
        saved_deadline = dag.deadline
        saved_params = {key: dag.params.get_param(key).value for key in dag.params}
        dag.deadline = None
        try:
            dagrun = dag.test(logical_date=logical_date, run_conf=conf or None)
        finally:
            dag.deadline = saved_deadline
            for key, value in saved_params.items():
                dag.params.get_param(key).value = value

        def xcom(task_id: str):
            return dagrun.get_task_instance(task_id).xcom_pull(task_ids=task_id)

        return dagrun, xcom

    return run
