"""Finance sync: re-upload throughput against the simulator, and outage end → all-clear for N stuck bills.

    .venv/bin/python -m bench.transit_resync --stuck 50000

Runs on the transit sandbox (``.sandbox/transit``, port base 58400; override with
EBILL_SANDBOX_DIR / EBILL_SANDBOX_PORT_BASE). It loads one lean day of bills, then makes an outage
happen after the fact: the first N bills of the day lose their upload / supervise / archive times
on the platform and finance forgets them (as if the front-end machine had been down). Each
measurement runs in a fresh child process under ``/usr/bin/time -v`` (wall time, peak RSS):

- ``all_clear``: the DAG's steps over the window — find, ping, resync, record on the platform,
  verify — until nothing is in transit and every day balances, at the configured settings;
- ``resync@c``: the resync step alone at concurrency c (bills/s), same data reset each time;
- ``baseline``: what a hand-written script does: one bill per request, one request at a time
  (upload then archive), on a sample; its bills/s is the ratio's denominator.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.common import REPO, machine, run_child

console = Console()
SANDBOX_DIR = Path(os.environ.get("EBILL_SANDBOX_DIR", REPO / ".sandbox" / "transit"))
ENV = {
    "EBILL_SANDBOX_DIR": str(SANDBOX_DIR),
    "EBILL_SANDBOX_PORT_BASE": os.environ.get("EBILL_SANDBOX_PORT_BASE", "58400"),
    "AIRFLOW_HOME": str(SANDBOX_DIR / "airflow-bench"),
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
    "EBILL_OPS_ARTIFACTS_URL": f"file://{SANDBOX_DIR}/artifacts",
}
DAY = dt.date(2026, 9, 7)  # a fixed Monday: the same data on every run

PREAMBLE = """
import datetime as dt, json, os, time
from sandbox.settings import SandboxSettings
from sandbox import connections
s = SandboxSettings()
os.environ.update(connections.as_environ(s))
"""

SEED = (
    PREAMBLE
    + """
from sandbox import api
from sandbox.generator.config import AnomalyRates, GeneratorConfig
zero = {{name: 0.0 for name, f in AnomalyRates.model_fields.items() if f.annotation is float}}
day = dt.date.fromisoformat("{day}")
t = time.perf_counter()
api.up(s)
m = api.seed(s, GeneratorConfig(seed=99, start=day, days=1, bills_per_day={bills}, today=day + dt.timedelta(days=1),
             lean=True, history_years=0, interface_incident_days=0, rates=AnomalyRates(**zero)))
print(json.dumps({{"bills": m["rows"]["bills"], "seed_seconds": round(time.perf_counter() - t, 1)}}))
"""
)

# The outage, after the fact: the first N bills of the day never reached finance.
BREAK = (
    PREAMBLE
    + """
import psycopg
from sandbox.finance import state
state.clear_faults(s)
with psycopg.connect(s.admin_dsn("bill"), autocommit=True) as bill:
    rows = bill.execute(
        "SELECT bill_id, bill_batch_code, bill_no, ivc_date_time FROM ebill.bill "
        "ORDER BY ivc_date_time, bill_id LIMIT %s", ({stuck},)).fetchall()
    bill.execute("UPDATE ebill.bill SET supervise_time = NULL, archive_time = NULL, upload_time = NULL "
                 "WHERE bill_id IN (SELECT unnest(%s::bigint[]))", ([r[0] for r in rows],))
with psycopg.connect(s.dsn("finance", "finsim"), autocommit=True) as fin:
    fin.execute("DELETE FROM finsim.bill WHERE (bill_batch_code, bill_no) IN "
                "(SELECT * FROM unnest(%s::text[], %s::text[]))", ([r[1] for r in rows], [r[2] for r in rows]))
    fin.execute("TRUNCATE finsim.request_log, finsim.upload_event")
with psycopg.connect(s.admin_dsn("ebops"), autocommit=True) as ops:
    ops.execute("TRUNCATE ebops.transit_bill, ebops.transit_attempt, ebops.transit_run, ebops.transit_day_balance")
    ops.execute("DELETE FROM ebops.alert_incident WHERE alert_key LIKE 'transit:%%'")
end = rows[-1][3] + dt.timedelta(seconds=1)
print(json.dumps({{"stuck": len(rows), "window_end": end.isoformat()}}))
"""
)

ALL_CLEAR = (
    PREAMBLE
    + """
from ebill_ops.intervals import Window
from ebill_ops.transit import run
window = Window(dt.datetime.fromisoformat("{start}"), dt.datetime.fromisoformat("{end}"))
t = time.perf_counter()
found = run.find_stuck(window, run_id="bench")
t_found = time.perf_counter() - t
run.check_finance()
synced = run.resync(window, run_id="bench", cfg=run.settings().model_copy(update={overrides}))
t_synced = time.perf_counter() - t
applied = run.record_on_platform("bench")
verified = run.verify(window)
left = run.find_stuck(window, run_id="bench-check", dry_run=True)
total = time.perf_counter() - t
print(json.dumps({{"found": found["found"], "find_s": round(t_found, 2), "resync_s": round(t_synced - t_found, 2),
                  "applied": applied["applied"], "all_clear_s": round(total, 2), "left": left["found"],
                  "balanced": verified["balanced"], "requests": synced["requests"],
                  "bills_per_s": round(found["found"] / total, 1)}}))
"""
)

RESYNC = (
    PREAMBLE
    + """
from ebill_ops.intervals import Window
from ebill_ops.transit import run
from ebill_ops.transit.settings import TransitSettings
window = Window(dt.datetime.fromisoformat("{start}"), dt.datetime.fromisoformat("{end}"))
found = run.find_stuck(window, run_id="bench")
cfg = run.settings().model_copy(update={overrides})
t = time.perf_counter()
synced = run.resync(window, run_id="bench", cfg=cfg)
seconds = time.perf_counter() - t
print(json.dumps({{"bills": found["found"], "resync_s": round(seconds, 2),
                  "bills_per_s": round(found["found"] / seconds, 1), "requests": synced["requests"],
                  "rate_wait_s": synced["rate_wait_seconds"], "concurrency": cfg.concurrency,
                  "max_bills_per_second": cfg.max_bills_per_second}}))
"""
)

# A hand-written repair script: one bill per request, one request at a time.
BASELINE = (
    PREAMBLE
    + """
import psycopg
from ebill_ops.transit.run import hook_client_factory
with psycopg.connect(s.admin_dsn("bill")) as bill:
    rows = bill.execute(
        "SELECT bill_batch_code, bill_no, check_code, bus_no, place_code, ivc_date_time, total_amt, direction "
        "FROM ebill.bill WHERE supervise_time IS NULL ORDER BY ivc_date_time, bill_id LIMIT %s", ({sample},)).fetchall()
cols = ["bill_batch_code", "bill_no", "check_code", "bus_no", "place_code", "ivc_date_time", "total_amt", "direction"]
client = hook_client_factory()()
t = time.perf_counter()
for r in rows:
    bill = dict(zip(cols, r))
    client.upload_bills([bill])
    client.archive_bills([(bill["bill_batch_code"], bill["bill_no"])])
seconds = time.perf_counter() - t
print(json.dumps({{"bills": len(rows), "seconds": round(seconds, 2), "bills_per_s": round(len(rows) / seconds, 1)}}))
"""
)


STEPS = ("all_clear", "all_clear_unlimited", "throughput", "baseline")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--stuck", type=int, default=50_000, help="bills stuck by the outage (default 50,000)"
    )
    parser.add_argument("--day-bills", type=int, default=60_000, help="bills of the generated day")
    parser.add_argument("--baseline-sample", type=int, default=1_000)
    parser.add_argument("--concurrency", type=int, nargs="*", default=[1, 2, 4])
    parser.add_argument(
        "--throughput-bills", type=int, default=10_000, help="stuck bills for the resync@c runs"
    )
    parser.add_argument("--steps", default=",".join(STEPS), help=f"comma list of {', '.join(STEPS)}")
    args = parser.parse_args()
    steps = set(args.steps.split(","))

    start = dt.datetime.combine(DAY, dt.time())
    results = [run_child("seed", SEED.format(day=DAY, bills=args.day_bills), ENV)]

    def all_clear(name: str, overrides: dict) -> None:
        broken = run_child("break", BREAK.format(stuck=args.stuck), ENV)
        code = ALL_CLEAR.format(start=start, end=broken.output["window_end"], overrides=repr(overrides))
        results.append(run_child(name, code, ENV))

    if "all_clear" in steps:
        all_clear("all_clear (configured)", {})
    if "all_clear_unlimited" in steps:
        all_clear("all_clear (no rate limit)", {"max_bills_per_second": 0})
    if "throughput" in steps:
        runs = [
            (f"resync@{c} (no rate limit)", {"concurrency": c, "max_bills_per_second": 0})
            for c in args.concurrency
        ]
        runs.append(("resync@configured", {}))
        for name, overrides in runs:
            small = run_child("break", BREAK.format(stuck=args.throughput_bills), ENV)
            code = RESYNC.format(start=start, end=small.output["window_end"], overrides=repr(overrides))
            results.append(run_child(name, code, ENV))
    base = None
    if "baseline" in steps:
        run_child("break", BREAK.format(stuck=args.baseline_sample), ENV)
        baseline = run_child("baseline", BASELINE.format(sample=args.baseline_sample), ENV)
        results.append(baseline)
        base = baseline.output["bills_per_s"]

    table = Table(title=f"finance sync — {machine()}")
    for col in ("step", "wall s", "peak RSS MB", "bills/s", "× baseline", "detail"):
        table.add_column(col)
    for m in results:
        rate = m.output.get("bills_per_s")
        detail = {k: v for k, v in m.output.items() if k not in ("bills_per_s",)}
        table.add_row(
            m.name,
            f"{m.seconds:.1f}",
            f"{m.peak_rss_mb:.0f}",
            f"{rate}" if rate else "",
            f"{rate / base:.1f}" if rate and base else "",
            json.dumps(detail, default=str)[:120],
        )
    console.print(table)
    print(
        json.dumps(
            {"date": time.strftime("%Y-%m-%d"), "machine": machine(), "results": [m.row() for m in results]},
            default=str,
        )
    )


if __name__ == "__main__":
    main()
