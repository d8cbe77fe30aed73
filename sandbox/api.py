"""What the CLI, the test fixtures and the demo call: bring the sandbox up, seed it, take it down."""

from __future__ import annotations

import datetime as dt
from typing import Any

import psycopg

from sandbox import connections, pg, schema, services
from sandbox.generator.config import GeneratorConfig
from sandbox.generator.generate import generate
from sandbox.settings import SandboxSettings


def prepare_keys(settings: SandboxSettings) -> None:
    """Key material of the SSH endpoint, made once before the services start."""
    from sandbox import ssh_server

    ssh_server.prepare(settings)


def up(settings: SandboxSettings, *, foreground: bool = False) -> None:
    """Start PostgreSQL and the services; create roles, databases and schemas. Idempotent.

    ``foreground`` runs the services in this process until SIGTERM (a container's main process).
    """
    settings.ensure_dirs()
    pg.start(settings)
    pg.ensure_roles_and_databases(settings)
    schema.apply_contract(settings)
    prepare_keys(settings)
    connections.write_env_file(settings)
    if foreground:
        services.main()
    else:
        services.start(settings)


def down(settings: SandboxSettings) -> None:
    services.stop(settings)
    pg.stop(settings)


def partition_years(cfg: GeneratorConfig) -> set[int]:
    years = {d.year for d in cfg.history_days()} | {d.year for d in cfg.days_list()}
    return years


def seed(settings: SandboxSettings, cfg: GeneratorConfig, progress=lambda _: None) -> dict[str, Any]:
    """Replace the sandbox's data with the data set ``cfg`` describes; returns the manifest."""
    schema.ensure_year_partitions(settings, partition_years(cfg))
    manifest = generate(
        cfg,
        lambda db: psycopg.connect(settings.admin_dsn(db), autocommit=True),
        settings.manifest_file,
        layout_root=settings.files_dir / "layout",
        progress=progress,
    )
    schema.build_indexes(settings)
    schema.reset_ebops(settings)
    return manifest


def status(settings: SandboxSettings) -> dict[str, Any]:
    ports = {name: services.port_open(settings.host, settings.port(name)) for name in services.SERVICES}
    info: dict[str, Any] = {
        "directory": str(settings.directory),
        "postgres": {"running": pg.is_running(settings), "port": settings.port("postgres")},
        "services": {name: {"port": settings.port(name), "listening": ok} for name, ok in ports.items()},
    }
    if info["postgres"]["running"]:
        try:
            with psycopg.connect(settings.admin_dsn("bill")) as conn:
                row = conn.execute(
                    "SELECT count(*), min(bus_date_time)::date, max(bus_date_time)::date FROM ebill.bill"
                ).fetchone()
                info["bills"] = {"count": row[0], "first_day": str(row[1]), "last_day": str(row[2])}
        except psycopg.Error as exc:
            info["bills"] = {"error": type(exc).__name__}
    return info


def default_config(
    days: int = 7, bills_per_day: int = 3000, seed: int = 20261201, **kw: Any
) -> GeneratorConfig:
    today = dt.date.today()
    return GeneratorConfig(
        start=today - dt.timedelta(days=days),
        days=days,
        bills_per_day=bills_per_day,
        seed=seed,
        today=today,
        **kw,
    )
