"""The README's first command, end to end: ``python -m sandbox.demo`` on a sandbox of its own.

The demo runs every DAG once against a seeded hospital whose injected anomalies make some DAGs
report critical findings; it must still exit 0 and say what each DAG found. A DAG that fails its
run on purpose (a verdict task) shows as "alerted"; any other failure fails the demo.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from sandbox.settings import free_port_base

REPO = Path(__file__).resolve().parent.parent


def _dag_ids() -> list[str]:
    return sorted(p.stem for p in (REPO / "dags").glob("ebill_*.py"))


@pytest.mark.integration
def test_the_demo_runs_every_dag_and_exits_cleanly(tmp_path):
    directory = Path(tempfile.mkdtemp(prefix="ebill-demo-"))  # short: PostgreSQL's socket path is limited
    env = {
        **os.environ,
        "EBILL_SANDBOX_DIR": str(directory),
        "EBILL_SANDBOX_PORT_BASE": str(free_port_base(directory, 57400)),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{tmp_path}/airflow.db",
        "EBILL_OPS_ARTIFACTS_URL": f"file://{tmp_path}/artifacts",
        "COLUMNS": "120",
    }
    if env.get("EBILL_TEST_PG_URL"):
        env["EBILL_SANDBOX_DB_PREFIX"] = "demo_"  # apart from the test sandbox's databases
    run = {"env": env, "cwd": REPO, "capture_output": True, "text": True}
    try:
        up = subprocess.run([sys.executable, "-m", "sandbox", "up"], **run)
        assert up.returncode == 0, up.stdout[-2000:] + up.stderr[-2000:]
        seeded = subprocess.run(
            [sys.executable, "-m", "sandbox", "seed", "--days", "2", "--bills-per-day", "400"], **run
        )
        assert seeded.returncode == 0, seeded.stdout[-2000:] + seeded.stderr[-2000:]
        demo = subprocess.run([sys.executable, "-m", "sandbox.demo"], **run)
    finally:
        subprocess.run([sys.executable, "-m", "sandbox", "down"], **run)
        shutil.rmtree(directory, ignore_errors=True)
    assert demo.returncode == 0, demo.stdout[-4000:] + demo.stderr[-2000:]
    rows = dict(re.findall(r"│ (ebill_\w+)\s+│ ([^│]+?)\s+│", demo.stdout))
    assert sorted(rows) == _dag_ids()
    assert rows.pop("ebill_invoice_quality") == "alerted 告警"  # the sandbox's critical spec violations
    assert set(rows.values()) == {"success"}
    assert "what it found 发现" in demo.stdout and "manifest.json" in demo.stdout
