"""Reconciliation at scale: ours (hash buckets) against a pandas merge and datacompy, same data, one run.

    .venv/bin/python -m bench.recon_compare            # the data set already seeded
    .venv/bin/python -m bench.recon_compare --seed     # seed it first (~10 M rows, ~12 min)

Runs in its own sandbox (.sandbox/recon-bench, port base 57500). Each approach runs in a fresh
child process under ``/usr/bin/time -v`` (wall time and peak RSS of that child only), writes the
differences it found, and the parent checks that all three found exactly the same set and that
it equals the generator's ground truth. Prints a table, the ratios against pandas, and JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os

from rich.console import Console
from rich.table import Table

from bench.common import REPO, machine, run_child

console = Console()
BENCH_DIR = REPO / ".sandbox" / "recon-bench"
OUT_DIR = BENCH_DIR / "bench-out"
ENV = {"EBILL_SANDBOX_DIR": str(BENCH_DIR), "EBILL_SANDBOX_PORT_BASE": "57500"}

SEED = """
import json, time
from sandbox import api
from sandbox.settings import SandboxSettings
from sandbox.cli import build_parser, config_from
s = SandboxSettings()
api.up(s)
args = build_parser().parse_args(["seed", "--lean", "--no-history", "--days", "{days}", "--bills-per-day", "{per_day}"])
t = time.perf_counter()
m = api.seed(s, config_from(args))
print(json.dumps({{"seconds": round(time.perf_counter() - t, 1), "rows": m["rows"]}}))
"""

PRELUDE = """
import datetime as dt, json, logging, time, warnings
from sandbox.settings import SandboxSettings
s = SandboxSettings()
m = json.load(open(s.manifest_file))
first = dt.date.fromisoformat(m["generator"]["start"])
start = dt.datetime.combine(first, dt.time())
end = start + dt.timedelta(days=m["generator"]["days"])
out_path = "{out}"
def done(found, **extra):
    rows = sorted(list(x) for x in found)
    json.dump(rows, open(out_path, "w"))
    print(json.dumps({{"found": len(rows), **extra}}))
"""

OURS = (
    PRELUDE
    + """
from contextlib import contextmanager
import psycopg
from ebill_ops.db import Db
from ebill_ops.intervals import Window
from ebill_ops.recon import buckets
from ebill_ops.recon.detail import reconcile_detail
from ebill_ops.recon.settings import ReconSettings
from ebill_ops.recon.sources import Bounds, Side
def side(name, database, role):
    @contextmanager
    def connect():
        conn = psycopg.connect(s.dsn(database, role))
        try:
            yield Db(conn, "postgresql")
        finally:
            conn.close()
    return Side(name, connect, "postgresql")
cfg = ReconSettings(**json.loads('{settings}'))
rows = max(m["rows"]["bills"], m["rows"]["settlements"])
nb = buckets.bucket_count(rows, cfg.rows_per_bucket, cfg.min_buckets, cfg.max_buckets)
t = time.perf_counter()
r = reconcile_detail(Bounds(Window(start, end), "business", dt.timedelta(days=cfg.lookaround_days)),
                     side("his", "his", "his_ro"), side("platform", "bill", "ebill_ro"), cfg, nb)
done({{(str(d.biz_date), d.diff_class, d.bus_no) for d in r.differences}},
     seconds_inside=round(time.perf_counter() - t, 2), stats=r.stats, data_errors=len(r.data_errors))
"""
)

PANDAS = (
    PRELUDE
    + """
from bench.recon_baselines import load_frames, {function}
t = time.perf_counter()
his, bills = load_frames(s.dsn("his", "his_ro"), s.dsn("bill", "ebill_ro"), start, end)
loaded = time.perf_counter() - t
found = {function}(his, bills)
done(found, load_seconds=round(loaded, 2), seconds_inside=round(time.perf_counter() - t, 2))
"""
)


def expected_set() -> set[tuple[str, str, str]]:
    manifest = json.loads((BENCH_DIR / "manifest.json").read_text())
    return {(e["biz_date"], e["class"], e["bus_no"]) for e in manifest["recon"]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", action="store_true", help="seed the bench data set first")
    parser.add_argument("--days", type=int, default=230, help="days to seed (230 × ~44k ≈ 10 M rows)")
    parser.add_argument("--per-day", type=int, default=50_000)
    parser.add_argument("--only", nargs="*", default=["ours", "pandas", "datacompy"])
    parser.add_argument("--settings", default="{}", help="JSON overrides of ReconSettings for ours")
    args = parser.parse_args()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    console.print(f"machine: {machine()}  date: {dt.date.today()}  load: {os.getloadavg()[0]:.1f}")
    if args.seed:
        seeded = run_child("seed", SEED.format(days=args.days, per_day=args.per_day), ENV)
        console.print(f"seeded in {seeded.output['seconds']} s: {seeded.output['rows']}")
    run_child(
        "sandbox up",
        "from sandbox import api; from sandbox.settings import SandboxSettings; api.up(SandboxSettings())",
        ENV,
    )
    codes = {
        "ours": OURS.replace("{settings}", args.settings.replace("'", "")),
        "pandas": PANDAS.replace("{function}", "pandas_differences"),
        "datacompy": PANDAS.replace("{function}", "datacompy_differences"),
    }
    results = {}
    for name in args.only:
        out = OUT_DIR / f"{name}.json"
        code = codes[name].replace("{out}", str(out)).replace("{{", "{").replace("}}", "}")
        console.print(f"running {name} …")
        results[name] = run_child(name, code, ENV)
        results[name].output["set"] = {tuple(x) for x in json.loads(out.read_text())}
    truth = expected_set()
    table = Table(
        title=f"reconciliation of {json.loads((BENCH_DIR / 'manifest.json').read_text())['rows']['bills']:,} bills"
    )
    for col in (
        "approach",
        "wall s",
        "peak RSS MB",
        "time vs pandas",
        "memory vs pandas",
        "found",
        "= truth",
        "= others",
    ):
        table.add_column(col, justify="right" if col != "approach" else "left")
    base = results.get("pandas")
    sets = [r.output["set"] for r in results.values()]
    summary = {
        "machine": machine(),
        "date": dt.date.today().isoformat(),
        "load": os.getloadavg()[0],
        "approaches": {},
    }
    for name, r in results.items():
        speed = f"{base.seconds / r.seconds:.1f}× faster" if base else "-"
        memory = f"{r.peak_rss_mb / base.peak_rss_mb:.2f}" if base else "-"
        same = all(s == r.output["set"] for s in sets)
        table.add_row(
            name,
            f"{r.seconds:.1f}",
            f"{r.peak_rss_mb:.0f}",
            speed,
            memory,
            f"{len(r.output['set']):,}",
            str(r.output["set"] == truth),
            str(same),
        )
        summary["approaches"][name] = {
            "seconds": round(r.seconds, 2),
            "peak_rss_mb": round(r.peak_rss_mb, 1),
            "found": len(r.output["set"]),
            "equals_truth": r.output["set"] == truth,
            "equals_others": same,
            **{k: v for k, v in r.output.items() if k not in ("set", "found")},
        }
    console.print(table)
    print(json.dumps(summary, default=str))


if __name__ == "__main__":
    main()
