"""Data extraction: one period's bills into an Excel workbook, streamed vs pulled whole.

    EBILL_SANDBOX_DIR=.sandbox/extract EBILL_SANDBOX_PORT_BASE=65400 \\
        .venv/bin/python -m bench.extract_workbook --seed --days 20 --bills-per-day 5000

``--seed`` replaces the sandbox's data; without it the loaded days are measured as they are.
Each approach runs in its own child process (wall time, peak RSS of that child only) over every
loaded day, and writes the same rows (the ``bills_by_period`` query) with masked payer IDs:

- ``streamed`` (ours): the DAG task's whole pipeline — server-side cursor in batches, openpyxl
  write-only mode, cover sheet, written through ``artifacts``;
- ``pandas`` (baseline): ``pandas.read_sql`` of the whole result, mask the ID column,
  ``DataFrame.to_excel`` (openpyxl engine): what a quick script would do.

Both must write the same number of rows; the bench says so per row.
"""

from __future__ import annotations

import argparse
import json

from rich.console import Console
from rich.table import Table

from bench.common import machine, run_child, seed_recent_days

console = Console()

PRELUDE = """
import json, os, time, tempfile, datetime as dt
from sandbox import connections
from sandbox.settings import SandboxSettings
settings = SandboxSettings()
os.environ.update(connections.as_environ(settings))
os.environ["AIRFLOW__LOGGING__LOGGING_LEVEL"] = "ERROR"
os.environ["EBILL_OPS_ARTIFACTS_URL"] = "file://" + tempfile.mkdtemp(prefix="bench-extract-")
import psycopg
with psycopg.connect(settings.admin_dsn("bill")) as conn:
    first, last = conn.execute("SELECT min(ivc_date_time)::date, max(ivc_date_time)::date + 1 FROM ebill.bill").fetchone()
start, end = first.isoformat(), last.isoformat()
"""

STREAMED = (
    PRELUDE
    + """
from ebill_ops.extract import run
t = time.perf_counter()
result = run.extract({"extraction": "bills_by_period", "start": start, "end": end},
                     run_id="bench")
work = time.perf_counter() - t
import openpyxl
print(json.dumps({"lxml": openpyxl.LXML, "rows": result["rows"], "truncated": result["truncated"], "xlsx_mb": round(result["bytes"] / 2**20, 1),
                  "work_s": round(work, 2)}))
"""
)

PANDAS = (
    PRELUDE
    + """
import io
import pandas as pd
from ebill_ops.extract.request import mask_id
from ebill_ops.sql import load_sql
text = load_sql("extract/bills_by_period", "postgresql")
params = {"window_start": dt.datetime.fromisoformat(start), "window_end": dt.datetime.fromisoformat(end),
          "bus_type": None, "place_code": None, "pay_channel": None}
t = time.perf_counter()
with psycopg.connect(settings.dsn("bill", "ebill_ro")) as conn:
    frame = pd.read_sql(text, conn, params=params)
frame["id_card_no"] = frame["id_card_no"].map(mask_id)
out = io.BytesIO()
frame.to_excel(out, index=False, engine="openpyxl")
work = time.perf_counter() - t
print(json.dumps({"rows": len(frame), "truncated": False, "xlsx_mb": round(len(out.getvalue()) / 2**20, 1),
                  "work_s": round(work, 2)}))
"""
)

APPROACHES = {
    "pandas": ("pandas.read_sql + to_excel (baseline)", PANDAS),
    "streamed": ("streamed (ours)", STREAMED),
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seed", action="store_true")
    parser.add_argument("--days", type=int, default=20)
    parser.add_argument("--bills-per-day", type=int, default=5000)
    parser.add_argument("--only", choices=sorted(APPROACHES))
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument(
        "--lxml-from",
        help="a directory holding lxml (pip install --target DIR lxml): openpyxl uses it when importable",
    )
    args = parser.parse_args()
    env = None
    if args.lxml_from:
        from bench.common import REPO

        env = {"PYTHONPATH": f"{args.lxml_from}:{REPO / 'plugins'}:{REPO}"}
    console.print(machine())
    if args.seed:
        seeded = seed_recent_days(args.days, args.bills_per_day)
        console.print(f"seeded {seeded.output} in {seeded.seconds:.0f} s")
    results = []
    for _ in range(args.repeat):
        for key, (label, code) in APPROACHES.items():
            if args.only and key != args.only:
                continue
            measured = run_child(label + (" +lxml" if env else ""), code, env=env)
            results.append(measured)
            console.print(json.dumps(measured.row(), ensure_ascii=False))
    baseline = next((m for m in results if m.name.startswith("pandas")), None)
    table = Table(title="bills_by_period into Excel")
    for column in ("approach", "rows", "work s", "child wall s", "peak RSS MB", "xlsx MB", "ratio (work)"):
        table.add_column(column, justify="left" if column == "approach" else "right")
    for m in results:
        ratio = m.output["work_s"] / baseline.output["work_s"] if baseline else float("nan")
        table.add_row(
            m.name,
            f"{m.output['rows']:,}",
            f"{m.output['work_s']:.1f}",
            f"{m.seconds:.1f}",
            f"{m.peak_rss_mb:,.0f}",
            f"{m.output['xlsx_mb']:.1f}",
            f"{ratio:.2f}",
        )
    console.print(table)
    if baseline and any(m.output["rows"] != baseline.output["rows"] for m in results):
        raise SystemExit("the approaches wrote different row counts")


if __name__ == "__main__":
    main()
