"""``make demo``: run every DAG in ``dags/`` once against the sandbox and print what it found.

Each DAG runs with ``dag.test()`` (no scheduler) for the last seeded day, through its trigger-form
params ``start`` / ``end``. ``dag.test()`` fails on DAGs with a deadline in Airflow 3.3
(apache/airflow#73428), so the demo removes the deadline from its in-memory copy first; the
deadline itself is proven under ``airflow standalone`` by the test suite.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sys
import time
import warnings
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from sandbox.settings import CHECKOUT, SandboxSettings

console = Console()


def prepare_airflow_env(settings: SandboxSettings) -> Path:
    """Airflow home in the sandbox directory, examples off, connections from the sandbox."""
    from sandbox import connections

    home = settings.directory / "airflow"
    home.mkdir(parents=True, exist_ok=True)
    os.environ.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(CHECKOUT / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(CHECKOUT / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
            **connections.as_environ(settings),
        }
    )
    return home


# Tasks whose failure *is* their finding: they fail the run on purpose when something critical was
# found (and mailed), which the sandbox's injected anomalies guarantee. Shown as "alerted".
VERDICT_TASKS = {("ebill_invoice_quality", "enforce_severity")}


def leaf_results(dagrun: Any, dag: Any) -> dict[str, Any]:
    """Each last task's state and result; for a last task that failed, its upstream results too."""
    results = {}
    for task in dag.tasks:
        if task.downstream_list:
            continue
        ti = dagrun.get_task_instance(task.task_id)
        if ti is None:
            continue
        results[task.task_id] = {"state": str(ti.state), "result": ti.xcom_pull(task_ids=task.task_id)}
        if str(ti.state) == "failed":
            for upstream_id in sorted(task.upstream_task_ids):
                upstream = dagrun.get_task_instance(upstream_id)
                results[upstream_id] = {
                    "state": str(upstream.state),
                    "result": ti.xcom_pull(task_ids=upstream_id),
                }
    return results


def outcome(dagrun: Any, dag_id: str) -> str:
    """success; alerted (only verdict tasks failed: the DAG found what it must report); or failed."""
    state = str(dagrun.state)
    if state == "success":
        return state
    failed = {
        ti.task_id for ti in dagrun.get_task_instances() if str(ti.state) in ("failed", "upstream_failed")
    }
    return "alerted 告警" if failed and all((dag_id, t) in VERDICT_TASKS for t in failed) else state


def main() -> int:
    import subprocess

    settings = SandboxSettings()
    manifest = json.loads(settings.manifest_file.read_text())
    last_day = dt.date.fromisoformat(manifest["generator"]["start"]) + dt.timedelta(
        days=manifest["generator"]["days"] - 1
    )
    prepare_airflow_env(settings)
    subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], check=True, capture_output=True)
    logging.getLogger("airflow").setLevel(logging.WARNING)
    from airflow.dag_processing.dagbag import DagBag

    # Libraries' deprecation notices are not what the demo is for (the test suite still shows them).
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", message=".*is deprecated.*")

    bag = DagBag(dag_folder=str(CHECKOUT / "dags"))
    if bag.import_errors:
        console.print(f"[red]import errors[/]: {bag.import_errors}")
        return 1
    summary = Table(title=f"ebill-ops demo 演示: every DAG once for {last_day}")
    summary.add_column("DAG")
    summary.add_column("state 状态")
    summary.add_column("seconds 秒", justify="right")
    failed = 0
    for dag_id in sorted(bag.dag_ids):
        dag = bag.get_dag(dag_id)
        dag.deadline = None
        conf = {"start": last_day.isoformat(), "end": (last_day + dt.timedelta(days=1)).isoformat()}
        console.rule(f"{dag_id}")
        started = time.perf_counter()
        dagrun = dag.test(run_conf=conf)
        seconds = time.perf_counter() - started
        state = outcome(dagrun, dag_id)
        failed += state not in ("success", "alerted 告警")
        results = leaf_results(dagrun, dag)
        console.print(
            Panel(
                json.dumps(results, ensure_ascii=False, indent=1, default=str)[:6000],
                title=f"{dag_id}: what it found 发现",
            )
        )
        summary.add_row(dag_id, state, f"{seconds:.1f}")
    console.print(summary)
    console.print(f"ground truth 注入的异常: {settings.manifest_file}")
    console.print(f"mails 邮件 (SMTP sink): {settings.mail_dir}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
