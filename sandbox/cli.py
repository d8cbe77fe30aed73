"""``python -m sandbox up|seed|status|down|services|env-file``: run the sandbox hospital."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time

from rich.console import Console
from rich.table import Table

from sandbox import api, services
from sandbox.generator.config import GeneratorConfig
from sandbox.settings import SandboxSettings

console = Console()


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start PostgreSQL and the simulators; create schemas (idempotent)")
    up.add_argument("--foreground", action="store_true", help="run the services in this process (containers)")
    seed = sub.add_parser("seed", help="replace the data with a generated data set and write the manifest")
    seed.add_argument("--days", type=int, default=7, help="number of days (default 7)")
    seed.add_argument("--start", type=_date, help="first day (default: DAYS days before today)")
    seed.add_argument("--bills-per-day", type=int, default=3000)
    seed.add_argument("--seed", type=int, default=20261201)
    seed.add_argument("--today", type=_date, help="the data's 'today' (default: the real today)")
    seed.add_argument(
        "--lean", action="store_true", help="headers and HIS only (no items, payments, call log)"
    )
    seed.add_argument("--no-history", action="store_true", help="no thin history of earlier years")
    seed.add_argument("--no-anomalies", action="store_true", help="a clean data set: every rate 0")
    sub.add_parser("status", help="what runs and what data is loaded")
    sub.add_parser("down", help="stop the services and PostgreSQL (data is kept)")
    sub.add_parser("services", help="run the network services in the foreground")
    sub.add_parser("env-file", help="print the path of the AIRFLOW_CONN_* env file (source it)")
    return parser


def config_from(args: argparse.Namespace) -> GeneratorConfig:
    today = args.today or dt.date.today()
    start = args.start or today - dt.timedelta(days=args.days)
    extra = {}
    if args.no_history:
        extra["history_years"] = 0
    if args.no_anomalies:
        from sandbox.generator.config import AnomalyRates

        zero = {name: 0.0 for name, f in AnomalyRates.model_fields.items() if f.annotation is float}
        extra["rates"] = AnomalyRates(**zero)
        extra["interface_incident_days"] = 0
    return GeneratorConfig(
        start=start,
        days=args.days,
        bills_per_day=args.bills_per_day,
        seed=args.seed,
        today=today,
        lean=args.lean,
        **extra,
    )


def print_manifest_summary(manifest: dict) -> None:
    table = Table(title="Ground truth injected 注入的异常 (manifest.json)")
    table.add_column("section 类别")
    table.add_column("class 类型")
    table.add_column("count 数量", justify="right")
    for section, classes in manifest["counts"].items():
        for name, count in sorted(classes.items()):
            table.add_row(section, name, str(count))
    console.print(table)
    rows = ", ".join(f"{k}={v:,}" for k, v in manifest["rows"].items())
    console.print(f"rows loaded 已加载: {rows}")


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    settings = SandboxSettings()
    if args.command == "up":
        started = time.perf_counter()
        if args.foreground:
            console.print(f"sandbox services in the foreground; connections: {settings.env_file}")
        api.up(settings, foreground=args.foreground)
        console.print(f"[green]sandbox up[/] in {time.perf_counter() - started:.1f}s: {settings.directory}")
        console.print(f"connections: source {settings.env_file}")
    elif args.command == "seed":
        cfg = config_from(args)
        console.print(f"seeding {cfg.days} days from {cfg.start} (~{cfg.bills_per_day}/day, seed {cfg.seed})")
        manifest = api.seed(settings, cfg, progress=lambda line: console.print(f"  {line}"))
        print_manifest_summary(manifest)
        console.print(f"manifest: {settings.manifest_file} ({manifest['seconds']}s)")
    elif args.command == "status":
        console.print_json(json.dumps(api.status(settings)))
    elif args.command == "down":
        api.down(settings)
        console.print("sandbox down")
    elif args.command == "services":
        services.main()
    elif args.command == "env-file":
        print(settings.env_file)
    else:  # pragma: no cover - argparse guards it
        sys.exit(2)
