"""A project-local PostgreSQL server for the sandbox, or an existing one (EBILL_TEST_PG_URL).

The server is the machine's own PostgreSQL (Debian's ``postgresql`` package, found through
``pg_config --bindir`` or ``/usr/lib/postgresql/*/bin``), started with ``pg_ctl`` in the sandbox
directory, listening on 127.0.0.1 and a unix socket there. Root cannot run the server, so when we
are root the data directory belongs to ``postgres`` and commands run through ``runuser``.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from pathlib import Path

import psycopg
from psycopg import sql

from sandbox.settings import DATABASES, ROLES, SandboxSettings


class PostgresMissing(RuntimeError):
    """No PostgreSQL server binaries on this machine."""


def pg_bindir() -> Path:
    env = os.environ.get("EBILL_PG_BINDIR")
    candidates = [env] if env else []
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=False)
        candidates.append(out.stdout.strip())
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for candidate in candidates:
        if candidate and (Path(candidate) / "pg_ctl").exists() and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    raise PostgresMissing(
        "PostgreSQL server binaries not found: install Debian's 'postgresql' package "
        "(apt-get install -y postgresql) or set EBILL_PG_BINDIR"
    )


def _as_server_user(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def _chown_to_server_user(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, user="postgres", group="postgres")


def is_running(settings: SandboxSettings) -> bool:
    if settings.external_pg_url:
        return True
    if not (settings.pg_data / "postmaster.pid").exists():
        return False
    result = subprocess.run(
        _as_server_user([str(pg_bindir() / "pg_ctl"), "status", "-D", str(settings.pg_data)]),
        capture_output=True,
        text=True,
        check=False,
    )
    return result.returncode == 0


def start(settings: SandboxSettings) -> None:
    """initdb when needed, then start the server; a running server is left as it is."""
    if settings.external_pg_url or is_running(settings):
        return
    settings.ensure_dirs()
    bindir = pg_bindir()
    for path in (settings.pg_data.parent, settings.pg_socket_dir):
        path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        # The server user must be able to reach its directories.
        for parent in [settings.directory, *settings.directory.parents]:
            if parent == Path("/"):
                break
            os.chmod(parent, os.stat(parent).st_mode | 0o011)
    _chown_to_server_user(settings.pg_socket_dir)
    if not (settings.pg_data / "PG_VERSION").exists():
        settings.pg_data.mkdir(parents=True, exist_ok=True)
        _chown_to_server_user(settings.pg_data)
        subprocess.run(
            _as_server_user(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(settings.pg_data),
                    "-U",
                    "postgres",
                    "--auth-local=trust",
                    "--auth-host=scram-sha-256",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ]
            ),
            check=True,
            capture_output=True,
        )
        conf = settings.pg_data / "postgresql.conf"
        with conf.open("a") as handle:
            handle.write(
                "\n# ebill-ops sandbox\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                "max_connections = 200\nshared_buffers = 256MB\nwork_mem = 32MB\n"
                "maintenance_work_mem = 512MB\nmax_wal_size = 4GB\ncheckpoint_timeout = 30min\n"
                "shared_preload_libraries = 'pg_stat_statements'\n"
                "timezone = 'Asia/Shanghai'\nlog_timezone = 'Asia/Shanghai'\n"
            )
    log = settings.log_dir / "postgres.log"
    log.touch()
    _chown_to_server_user(log)
    subprocess.run(
        _as_server_user(
            [
                str(bindir / "pg_ctl"),
                "start",
                "-w",
                "-t",
                "60",
                "-D",
                str(settings.pg_data),
                "-l",
                str(log),
                "-o",
                f"-p {settings.port('postgres')} -k {settings.pg_socket_dir} -c listen_addresses=127.0.0.1",
            ]
        ),
        check=True,
        capture_output=True,
    )


def stop(settings: SandboxSettings) -> None:
    if settings.external_pg_url or not is_running(settings):
        return
    subprocess.run(
        _as_server_user(
            [str(pg_bindir() / "pg_ctl"), "stop", "-m", "fast", "-w", "-D", str(settings.pg_data)]
        ),
        check=True,
        capture_output=True,
    )


def admin_connect(settings: SandboxSettings, database: str = "postgres") -> psycopg.Connection:
    return psycopg.connect(settings.admin_dsn(database), autocommit=True)


def ensure_roles_and_databases(settings: SandboxSettings) -> None:
    """Create the sandbox roles (with their generated passwords) and databases, idempotently."""
    secrets = settings.secrets()
    with admin_connect(settings) as conn:
        for role in ROLES:
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
            verb = "ALTER" if exists else "CREATE"
            conn.execute(
                sql.SQL("{} ROLE {} LOGIN PASSWORD {}").format(
                    sql.SQL(verb), sql.Identifier(role), sql.Literal(secrets[role])
                )
            )
        owners = {"bill": "ebill_owner", "his": "his_ro", "ebops": "ebops_rw", "finance": "finsim"}
        for database in DATABASES:
            name = settings.db_name(database)
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                conn.execute(
                    sql.SQL("CREATE DATABASE {} OWNER {}").format(
                        sql.Identifier(name), sql.Identifier(owners[database])
                    )
                )
    with admin_connect(settings, "bill") as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        conn.execute("GRANT pg_monitor TO ebill_ro, ebill_owner")
        # The backup's test restore creates (and drops) a scratch database.
        conn.execute("ALTER ROLE ebill_owner CREATEDB")
        # The security audit's DBA-side checks read authentication rules and role password hashes;
        # a site grants these to its audit account; ebill_owner (ebill_dba) stands for it here.
        conn.execute("GRANT SELECT ON pg_catalog.pg_hba_file_rules TO ebill_owner")
        conn.execute("GRANT EXECUTE ON FUNCTION pg_catalog.pg_hba_file_rules() TO ebill_owner")
        conn.execute("GRANT SELECT ON pg_catalog.pg_shadow TO ebill_owner")


def drop_databases(settings: SandboxSettings) -> None:
    with admin_connect(settings) as conn:
        for database in DATABASES:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(settings.db_name(database))
                )
            )
