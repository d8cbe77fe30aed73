"""Invoice quality: validating ~1 million bills with their items, in the database vs in pandas.

    EBILL_SANDBOX_DIR=.sandbox/quality EBILL_SANDBOX_PORT_BASE=59400 \\
        .venv/bin/python -m bench.quality_validate --seed --days 23 --bills-per-day 50000

``--seed`` replaces the sandbox's data (about 4 minutes for a million bills); without it the
loaded days are measured as they are. Each approach runs in its own child process (wall time,
peak RSS of that child only), over every loaded day, with the whole pipeline of the DAG's
``validate_day`` task (checks query, GX suite, failing bills into ebops, Data Docs):

- ``database``: GX validates each day in PostgreSQL; only failing bills come back (our default);
- ``pandas, chunks``: per-bill rows pulled in chunks of 100,000 and validated as DataFrames
  (what the Oracle path does);
- ``pandas, whole window`` (baseline): every per-bill row of the window in one DataFrame, one GX
  validation: what pulling "into pandas" costs without chunking.

Every approach must find exactly the manifest's violations; the bench says so per row.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json

from rich.console import Console
from rich.table import Table

from bench.common import machine, run_child, seed_recent_days

console = Console()

PRELUDE = """
import collections, json, os, time, datetime as dt, tempfile
from sandbox import connections
from sandbox.settings import SandboxSettings
settings = SandboxSettings()
os.environ.update(connections.as_environ(settings))
os.environ["AIRFLOW__LOGGING__LOGGING_LEVEL"] = "ERROR"
os.environ["EBILL_OPS_ARTIFACTS_URL"] = "file://" + tempfile.mkdtemp(prefix="bench-quality-")
from ebill_ops import db
from ebill_ops.intervals import Window
from ebill_ops.quality import run
from ebill_ops.quality.gxrun import import_gx
from ebill_ops.quality.rules import QualitySettings
manifest = json.loads(settings.manifest_file.read_text())
start = dt.datetime.fromisoformat(manifest["generator"]["start"])
window = Window(start, start + dt.timedelta(days=manifest["generator"]["days"]))
for conn_id in ("ebill_db", "ebops_db"):
    db.get_airflow_connection(conn_id)  # warm up: the first lookup imports Airflow
import_gx()  # ~5 s, not what is measured
expected = collections.Counter(e["rule"] for e in manifest["spec"])

def exact(found):
    return found == {k: v for k, v in expected.items() if v}
"""

VALIDATE = """
t = time.perf_counter()
summary = run.validate(window, run_id="bench", cfg=QualitySettings(engine={engine!r}, chunk_rows={chunk} or 100_000))
seconds = time.perf_counter() - t
found = {{r["rule_id"]: r["failed"] for r in summary["rules"] if r["failed"]}}
print(json.dumps({{"seconds_inner": round(seconds, 2), "bills": summary["bills"], "days": summary["days"],
                   "failures": summary["failures"], "exact": exact(found)}}))
"""

WHOLE_WINDOW = """
import pandas as pd
from ebill_ops.quality.engines import _frame, check_params, prepare_session, stream_rows
from ebill_ops.quality.gxrun import GxSession
from ebill_ops.quality.outcome import outcomes_from_gx
from ebill_ops.quality.rules import active_rules
rules = active_rules(QualitySettings())
t = time.perf_counter()
with db.connect("ebill_db") as bill:
    prepare_session(bill, work_mem_mb=64, statement_timeout_seconds=3600)
    names, rows = None, []
    for names, batch in stream_rows(bill, bill.sql("quality/bill_checks"), check_params(window, 31, 90), 100_000):
        rows.extend(batch)
frame = _frame(names, rows, rules)
del rows
as_of = dt.datetime.now().replace(microsecond=0)
with GxSession(rules, as_of, dt.datetime.now(dt.UTC)) as session:
    result = session.validate_frame(frame, "whole-window")
outcomes = outcomes_from_gx(result, rules)
seconds = time.perf_counter() - t
found = {k: o.failed for k, o in outcomes.items() if o.failed}
print(json.dumps({"seconds_inner": round(seconds, 2), "bills": len(frame), "days": len(window.days),
                   "failures": sum(found.values()), "exact": exact(found)}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", action="store_true", help="replace the sandbox data first")
    parser.add_argument("--days", type=int, default=23)
    parser.add_argument("--bills-per-day", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=1, help="runs per approach (the median is shown)")
    parser.add_argument("--only", choices=("baseline", "pandas", "database"), help="run one approach")
    args = parser.parse_args()

    started = dt.datetime.now(dt.UTC).replace(microsecond=0)
    if args.seed:
        seeded = seed_recent_days(args.days, args.bills_per_day)
        console.print(f"seeded in {seeded.seconds:.0f}s: {seeded.output}")

    approaches = [
        ("baseline", "pandas, whole window (baseline)", WHOLE_WINDOW),
        (
            "pandas",
            "pandas, chunks of 100,000 (Oracle path)",
            VALIDATE.format(engine="pandas", chunk=100_000),
        ),
        (
            "database",
            "database: GX in PostgreSQL, per day (default)",
            VALIDATE.format(engine="database", chunk=0),
        ),
    ]
    approaches = [(name, code) for key, name, code in approaches if args.only in (None, key)]
    results = []
    for name, code in approaches:
        runs = sorted(
            (run_child(name, PRELUDE + code) for _ in range(args.repeat)),
            key=lambda m: m.output["seconds_inner"],
        )
        results.append(runs[len(runs) // 2])
        every = ", ".join(f"{m.output['seconds_inner']:.1f}" for m in runs)
        console.print(
            f"{name}: work s per run [{every}]; median {json.dumps(results[-1].row(), ensure_ascii=False)}"
        )

    base = results[0].output["seconds_inner"]
    table = Table(
        title=f"Invoice quality, {results[0].output['bills']:,} bills ({machine()}), {started:%Y-%m-%d %H:%M} UTC"
    )
    for column in ("approach", "work s", "child wall s", "peak RSS MB", "bills/s", "exact", "ratio (work)"):
        table.add_column(column, justify="left" if column == "approach" else "right")
    for m in results:
        work = m.output["seconds_inner"]
        table.add_row(
            m.name,
            f"{work:.1f}",
            f"{m.seconds:.1f}",
            f"{m.peak_rss_mb:.0f}",
            f"{m.output['bills'] / work:,.0f}",
            "yes" if m.output["exact"] else "NO",
            f"{work / base:.2f}",
        )
    console.print(table)
    console.print(json.dumps([m.row() for m in results], ensure_ascii=False))


if __name__ == "__main__":
    main()
