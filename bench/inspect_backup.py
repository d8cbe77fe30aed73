"""Backup verification: what proving a backup costs next to merely taking it.

    EBILL_SANDBOX_DIR=.sandbox/inspect EBILL_SANDBOX_PORT_BASE=60400 \\
        .venv/bin/python -m bench.inspect_backup --days 7 --bills-per-day 20000

Seeds the sandbox (replacing its data), then times each step in its own child process (wall
time, peak RSS of the child and its tools) side by side with the baseline it replaces:
``pg_dump`` alone vs our take (snapshot + per-table figures + pg_dump); ``sha256sum`` vs our
streamed SHA-256; ``pg_restore --list`` (what a cheap check does) and a bare restore vs our full
verification (checksum, TOC, restore, rows / amounts / content hash per table). Needs CREATEDB for
``ebill_owner`` (granted here, as the tests do, until the sandbox grants it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json

from rich.console import Console
from rich.table import Table

from bench.common import machine, run_child, seed_recent_days

console = Console()
DAY = dt.date.today()

PRELUDE = """
import json, os, time, datetime as dt
from sandbox import connections
from sandbox.settings import SandboxSettings
os.environ.update(connections.as_environ(SandboxSettings()))
os.environ["AIRFLOW__LOGGING__LOGGING_LEVEL"] = "ERROR"
from ebill_ops.backup import files, pg, run
from ebill_ops.backup.settings import BackupSettings
settings = BackupSettings(directory={directory!r})
day = dt.date.fromisoformat({day!r})
path = files.dump_path(settings, "pg_dump", day)
from ebill_ops import db
for _conn in ("ebill_dba", "ebops_db"):  # warm up: the first lookup imports Airflow (seconds)
    db.get_airflow_connection(_conn)
"""

BASELINE_DUMP = """
from ebill_ops import db
src = pg.target_of("ebill_dba")
rels = []
with db.connect("ebill_dba") as c:
    for t in settings.core_tables:
        rels += [r["relation"] for r in c.rows("backup/table_parts", {"schema_name": "ebill", "table_name": t})]
out = path.with_name("baseline.dump")
args = [pg.find_tool("pg_dump"), *src.args(), "--format=custom", "--compress=6", "--no-sync", f"--file={out}"]
for r in rels:
    args += ["--table", r]
t = time.perf_counter()
with pg.passfile([src]) as env:
    pg.run_tool(args, env, 3600)
print(json.dumps({"seconds_inner": round(time.perf_counter() - t, 2), "bytes": out.stat().st_size}))
"""

OURS_TAKE = """
t = time.perf_counter()
taken = run.take(day, settings)
print(json.dumps({"seconds_inner": round(time.perf_counter() - t, 2), "bytes": taken["size_bytes"],
                  "bills": taken["rows"]["bill"], "items": taken["rows"]["bill_item"]}))
"""

SHA_CLI = """
import subprocess
t = time.perf_counter()
subprocess.run(["sha256sum", str(path)], check=True, capture_output=True)
print(json.dumps({"seconds_inner": round(time.perf_counter() - t, 2)}))
"""

SHA_OURS = """
t = time.perf_counter()
files.sha256_of(path)
print(json.dumps({"seconds_inner": round(time.perf_counter() - t, 2)}))
"""

LIST_ONLY = """
t = time.perf_counter()
toc = pg.list_contents(path)
print(json.dumps({"seconds_inner": round(time.perf_counter() - t, 2), "entries": len(toc)}))
"""

BARE_RESTORE = """
import psycopg
from psycopg import sql
target = pg.target_of("ebill_dba").with_db("ebops_restore_bench")
pg.drop_scratch("ebill_dba", "ebops_restore_bench")
t = time.perf_counter()
admin = pg._admin("ebill_dba")
admin.conn.execute("CREATE DATABASE ebops_restore_bench")
admin.conn.close()
with psycopg.connect(**target.conninfo(), autocommit=True) as c:
    c.execute("CREATE SCHEMA ebill")
with pg.passfile([target]) as env:
    pg.run_tool([pg.find_tool("pg_restore"), *target.args(), "--no-owner", "--no-privileges", "--exit-on-error",
                 str(path)], env, 3600)
seconds = time.perf_counter() - t
pg.drop_scratch("ebill_dba", "ebops_restore_bench")
print(json.dumps({"seconds_inner": round(seconds, 2)}))
"""

OURS_VERIFY = """
t = time.perf_counter()
result = run.verify(day, settings)
assert result["status"] == "verified", result
print(json.dumps({"seconds_inner": round(time.perf_counter() - t, 2), "tables": len(result["tables"])}))
"""


def _median(found: list):
    """The run with the median work time (its memory and output come with it)."""
    ordered = sorted(found, key=lambda m: m.output["seconds_inner"])
    return ordered[len(ordered) // 2]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--bills-per-day", type=int, default=20000)
    parser.add_argument("--no-seed", action="store_true")
    parser.add_argument("--directory", default="/tmp/ebops-bench-backup")
    parser.add_argument("--repeat", type=int, default=3, help="runs per approach; the median is shown")
    args = parser.parse_args()
    if not args.no_seed:
        seeded = seed_recent_days(args.days, args.bills_per_day)
        console.print(f"seeded: {seeded.output}")
    prelude = PRELUDE.format(directory=args.directory, day=DAY.isoformat())
    pairs = [
        ("take", "pg_dump alone", BASELINE_DUMP, "ours: snapshot + figures + pg_dump", OURS_TAKE),
        ("checksum", "sha256sum (coreutils)", SHA_CLI, "ours: streamed hashlib", SHA_OURS),
        ("restore", "bare pg_restore into scratch", BARE_RESTORE, "ours: full verification", OURS_VERIFY),
    ]
    results = []
    table = Table(title=f"backup verification, {machine()}")
    for col in ("step", "approach", "work s", "child wall s", "peak RSS MB", "ratio (work)"):
        table.add_column(col)
    for step, base_name, base_code, ours_name, ours_code in pairs:
        # ours first for "take": the baseline then dumps the same relations of the same data
        order = (
            [(ours_name, ours_code), (base_name, base_code)]
            if step == "take"
            else [(base_name, base_code), (ours_name, ours_code)]
        )
        runs: dict[str, list] = {name: [] for name, _ in order}
        for _ in range(args.repeat):  # interleaved, so that load and cache drift hit both alike
            for name, code in order:
                runs[name].append(run_child(f"{step}: {name}", prelude + code))
        measured = {name: _median(found) for name, found in runs.items()}
        base, ours = measured[base_name], measured[ours_name]
        for name, m in ((base_name, base), (ours_name, ours)):
            ratio = m.output["seconds_inner"] / base.output["seconds_inner"]
            table.add_row(
                step,
                name,
                f"{m.output['seconds_inner']:.2f}",
                f"{m.seconds:.2f}",
                f"{m.peak_rss_mb:.0f}",
                f"{ratio:.2f}",
            )
            results.append({"step": step, "approach": name, **m.row(), "ratio": round(ratio, 2)})
    listing = _median([run_child("list", prelude + LIST_ONLY) for _ in range(args.repeat)])
    table.add_row(
        "restore",
        "pg_restore --list only (proves nothing)",
        f"{listing.output['seconds_inner']:.2f}",
        f"{listing.seconds:.2f}",
        f"{listing.peak_rss_mb:.0f}",
        "-",
    )
    results.append({"step": "restore", "approach": "pg_restore --list", **listing.row()})
    console.print(table)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
