"""Policy over the whole DagBag: imports, parse-time hygiene, owner, tags, docs, retries, deadlines."""

from __future__ import annotations

import ast
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from ebill_ops.dag_defaults import OWNER, TAGS

REPO = Path(__file__).resolve().parent.parent
DAG_FILES = sorted((REPO / "dags").glob("*.py"))
HEAVY = (
    "pandas",
    "great_expectations",
    "openpyxl",
    "sqlalchemy",
    "oracledb",
    "psycopg",
    "psycopg2",
    "pyarrow",
)


def test_there_are_dags():
    assert DAG_FILES


def test_no_import_errors(dagbag):
    assert not dagbag.import_errors, dagbag.import_errors
    assert len(dagbag.dags) >= len(DAG_FILES)


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_no_heavy_import_at_module_level(path):
    tree = ast.parse(path.read_text())
    for node in tree.body:  # module level only; imports inside tasks are the point
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        for name in names:
            assert name.split(".")[0] not in HEAVY, f"{path.name} imports {name} at module level"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends


PARSE_PROBE = r"""
import json, sys
connects = []
def hook(event, args):
    if event in ("socket.connect", "socket.getaddrinfo") :
        connects.append(f"{event} {args[1:] if event == 'socket.connect' else args[:2]}")
sys.addaudithook(hook)
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1])
heavy = [m for m in ("pandas", "great_expectations", "openpyxl", "oracledb", "psycopg") if m in sys.modules]
print(json.dumps({"errors": {k: str(v)[:300] for k, v in bag.import_errors.items()}, "dags": sorted(bag.dag_ids),
                  "connects": connects, "heavy": heavy}))
"""


def test_parsing_touches_no_network_no_database_and_no_heavy_module(tmp_path):
    """Parse every DAG with every connection pointed at a closed port and watch for connects."""
    port = _closed_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW_CONN_")}
    for conn_id in ("ebill_db", "ebill_dba", "his_db", "ebops_db"):
        env[f"AIRFLOW_CONN_{conn_id.upper()}"] = json.dumps(
            {
                "conn_type": "postgres",
                "host": "127.0.0.1",
                "port": port,
                "login": "x",
                "password": "x",
                "schema": "x",
            }
        )
    env["AIRFLOW_CONN_FINANCE_GATEWAY"] = json.dumps({"conn_type": "http", "host": "127.0.0.1", "port": port})
    env["AIRFLOW_CONN_SMTP_DEFAULT"] = json.dumps({"conn_type": "smtp", "host": "127.0.0.1", "port": port})
    env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{tmp_path}/never-used.db"
    out = subprocess.run(
        [sys.executable, "-c", PARSE_PROBE, str(REPO / "dags")],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert not result["errors"], result["errors"]
    assert result["dags"], "no DAG parsed"
    assert result["connects"] == [], result["connects"]
    assert result["heavy"] == [], f"heavy modules imported at parse time: {result['heavy']}"


def _tasks(dag):
    return list(dag.tasks)


def test_owner_tags_doc(dagbag):
    for dag_id, dag in dagbag.dags.items():
        assert dag.owner == OWNER, dag_id
        assert "ebill" in dag.tags, dag_id
        assert set(dag.tags) <= TAGS, (dag_id, set(dag.tags) - TAGS)
        doc = dag.doc_md or ""
        assert len(doc) > 200, f"{dag_id}: doc_md must be a runbook"
        assert "What to do" in doc or "处理" in doc, f"{dag_id}: doc_md says what to do when it alerts"


def test_retries_with_exponential_backoff_and_failure_alert(dagbag):
    for dag_id, dag in dagbag.dags.items():
        for t in _tasks(dag):
            assert t.retries >= 2, (dag_id, t.task_id)
            assert t.retry_exponential_backoff and t.retry_exponential_backoff > 1, (dag_id, t.task_id)
            assert t.max_retry_delay is not None, (dag_id, t.task_id)
            assert t.on_failure_callback, (dag_id, t.task_id)


def test_every_dag_has_an_email_deadline(dagbag):
    """Scheduled or manual: a run that hangs (a stuck extraction, a gate nobody answers) is mailed."""
    for dag_id, dag in dagbag.dags.items():
        assert dag.deadline, f"{dag_id}: DAG without a deadline alert"
        for alert in dag.deadline if isinstance(dag.deadline, list) else [dag.deadline]:
            callback = alert.callback
            path = callback.path if hasattr(callback, "path") else str(callback)
            assert "Notifier" in path or "ebill_ops" in path, (dag_id, path)
            kwargs = callback.kwargs or {}
            assert kwargs.get("to"), f"{dag_id}: deadline mail has no recipient"
            assert alert.interval.total_seconds() > 0


PLUGIN_PROBE = r"""
import json, sys
from airflow import plugins_manager
plugins_manager.ensure_plugins_loaded()
print(json.dumps({"stdlib_platform": hasattr(sys.modules["platform"], "machine"),
                  "leaked": sorted(m for m in ("config", "db", "run", "settings", "sql", "alerts") if m in sys.modules)}))
"""


def test_plugin_loader_does_not_import_our_modules_as_top_level(tmp_path):
    """Airflow imports every .py under plugins/ as a top-level module named after the file;
    plugins/.airflowignore keeps it out of ebill_ops (no shadowed stdlib, no stray `config`)."""
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(tmp_path),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
    }
    out = subprocess.run(
        [sys.executable, "-c", PLUGIN_PROBE], env=env, capture_output=True, text=True, check=True
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result == {"stdlib_platform": True, "leaked": []}


GUARDS = {"all_success", "one_failed"}


def test_a_failed_task_can_never_leave_its_run_green(dagbag):
    """A task that runs "all_done" (a report that must go out anyway) as the only leaf would turn a
    run with a failed task green, and the DAG's success callback would then mail a false recovery.
    Every task upstream of an all_done task must also feed a leaf that fails with it: an
    all_success leaf, or a one_failed guard that raises."""
    for dag_id, dag in dagbag.dags.items():
        guards = [t for t in dag.tasks if not t.downstream_list and t.trigger_rule in GUARDS]
        guarded = {u for g in guards for u in g.get_flat_relative_ids(upstream=True)}
        for task in dag.tasks:
            if task.trigger_rule != "all_done":
                continue
            unguarded = set(task.upstream_task_ids) - guarded
            assert not unguarded, (
                f"{dag_id}.{task.task_id}: a failure of {sorted(unguarded)} would leave the run green"
            )
