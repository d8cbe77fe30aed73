"""Foundation figures: sandbox start, DagBag parse time per DAG file, generation of N bills.

    .venv/bin/python -m bench.foundation --bills 10000000 --lean

Runs in its own sandbox (.sandbox/bench, port base 54400) and prints a table and JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil

from rich.console import Console
from rich.table import Table

from bench.common import REPO, machine, run_child

console = Console()
BENCH_DIR = REPO / ".sandbox" / "bench"
ENV = {"EBILL_SANDBOX_DIR": str(BENCH_DIR), "EBILL_SANDBOX_PORT_BASE": "54400"}

START = """
import json, time
t = time.perf_counter()
from sandbox import api
from sandbox.settings import SandboxSettings
api.up(SandboxSettings())
print(json.dumps({"up_seconds": round(time.perf_counter() - t, 2)}))
"""

PARSE = """
import json, time, sys, os
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
t0 = time.perf_counter()
import airflow
from airflow.dag_processing.dagbag import DagBag
t_import = time.perf_counter() - t0
out = {"import_airflow_s": round(t_import, 2), "files": {}}
for path in sorted(__import__("pathlib").Path(sys.argv[1] if len(sys.argv) > 1 else "dags").glob("*.py")):
    t = time.perf_counter()
    bag = DagBag(dag_folder=str(path))
    out["files"][path.name] = {"seconds": round(time.perf_counter() - t, 3), "dags": len(bag.dags),
                               "errors": len(bag.import_errors)}
print(json.dumps(out))
"""

GENERATE = """
import json, time, datetime as dt, psycopg
from sandbox import api
from sandbox.settings import SandboxSettings
from sandbox.generator.config import GeneratorConfig
s = SandboxSettings()
days = max(1, round({bills} / ({per_day} * 0.879)))  # weekends are quieter
cfg = GeneratorConfig(start=dt.date(2026, 11, 30) - dt.timedelta(days=days), days=days, bills_per_day={per_day},
                      today=dt.date(2026, 12, 1), lean={lean}, history_years=0)
t = time.perf_counter()
m = api.seed(s, cfg)
seconds = time.perf_counter() - t
sizes = {{}}
with psycopg.connect(s.admin_dsn()) as c:
    for db in ("bill", "his", "finance"):
        sizes[db] = c.execute("SELECT pg_database_size(%s)", (s.db_name(db),)).fetchone()[0]
print(json.dumps({{"seconds": round(seconds, 1), "generate_seconds": m["seconds"], "rows": m["rows"],
                  "db_bytes": sizes}}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bills", type=int, default=1_000_000)
    parser.add_argument("--per-day", type=int, default=50_000)
    parser.add_argument("--lean", action="store_true")
    parser.add_argument("--fresh", action="store_true", help="remove the bench sandbox first (cold start)")
    args = parser.parse_args()
    if args.fresh and BENCH_DIR.exists():
        run_child(
            "down",
            "from sandbox import api; from sandbox.settings import SandboxSettings; "
            "api.down(SandboxSettings())",
            ENV,
        )
        shutil.rmtree(BENCH_DIR)
    console.print(f"machine: {machine()}  date: {dt.date.today()}")
    up = run_child("sandbox up", START, ENV)
    parse = run_child(
        "dagbag parse", PARSE.replace('sys.argv[1] if len(sys.argv) > 1 else "dags"', f'"{REPO / "dags"}"')
    )
    gen = run_child(
        f"generate {args.bills:,} bills",
        GENERATE.format(bills=args.bills, per_day=args.per_day, lean=args.lean),
        ENV,
    )
    table = Table(title="foundation")
    table.add_column("step")
    table.add_column("seconds", justify="right")
    table.add_column("peak RSS MB", justify="right")
    table.add_column("detail")
    table.add_row(
        "sandbox up",
        f"{up.output['up_seconds']}",
        f"{up.peak_rss_mb:.0f}",
        "initdb/start, roles, schemas, services",
    )
    table.add_row("import airflow", f"{parse.output['import_airflow_s']}", "", "")
    for name, info in parse.output["files"].items():
        table.add_row(
            f"parse {name}", f"{info['seconds']}", "", f"{info['dags']} DAG(s), {info['errors']} errors"
        )
    gb = sum(gen.output["db_bytes"].values()) / 2**30
    rows = ", ".join(f"{k}={v:,}" for k, v in gen.output["rows"].items())
    table.add_row(
        gen.name + (" (lean)" if args.lean else ""),
        f"{gen.output['seconds']}",
        f"{gen.peak_rss_mb:.0f}",
        f"{gb:.2f} GiB in PostgreSQL; {rows}",
    )
    console.print(table)
    print(json.dumps({"up": up.row(), "parse": parse.output, "generate": gen.row()}, default=str))


if __name__ == "__main__":
    main()
