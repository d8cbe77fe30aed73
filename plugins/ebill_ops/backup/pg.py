"""PostgreSQL backup: ``pg_dump -Fc`` of the core tables in one exported snapshot, and a test
restore into a scratch database.

The source figures (rows, amounts, content hash per table) are read in the very snapshot the
dump uses (``pg_export_snapshot`` + ``pg_dump --snapshot``), so on a live platform that keeps
issuing bills the restored copy must still match them exactly. Passwords reach the client tools
through a private passfile (mode 0600, deleted after), never the command line or the log.
"""

from __future__ import annotations

import contextlib
import glob
import logging
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ebill_ops import db
from ebill_ops.backup.checks import TableStat, stats_by_table

log = logging.getLogger(__name__)


class ToolFailed(RuntimeError):
    """A PostgreSQL client tool exited non-zero; the message holds its first error lines."""


@dataclass(frozen=True)
class PgTarget:
    host: str
    port: int
    dbname: str
    user: str
    password: str | None

    def args(self) -> list[str]:
        return ["-h", self.host, "-p", str(self.port), "-U", self.user, "-d", self.dbname, "-w"]

    def with_db(self, dbname: str) -> PgTarget:
        return PgTarget(self.host, self.port, dbname, self.user, self.password)

    def conninfo(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "port": self.port,
            "dbname": self.dbname,
            "user": self.user,
            "password": self.password,
            "application_name": "ebill-ops-backup",
            "connect_timeout": 10,
        }


def target_of(conn_id: str) -> PgTarget:
    conn = db.get_airflow_connection(conn_id)
    info = db.postgres_conninfo(conn, read_only=False)
    return PgTarget(info["host"], int(info["port"]), info["dbname"], info["user"], info.get("password"))


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace(":", "\\:")


@contextlib.contextmanager
def passfile(targets: Sequence[PgTarget]) -> Iterator[dict[str, str]]:
    """Environment for the client tools: a private .pgpass with the targets' passwords."""
    fd, path = tempfile.mkstemp(prefix="ebops-pgpass-")
    try:
        with os.fdopen(fd, "w") as handle:
            os.fchmod(handle.fileno(), 0o600)
            for t in targets:
                if t.password:
                    handle.write(
                        f"{_escape(t.host)}:{t.port}:{_escape(t.dbname)}:{_escape(t.user)}:{_escape(t.password)}\n"
                    )
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env.update({"PGPASSFILE": path, "PGCONNECT_TIMEOUT": "10", "PGAPPNAME": "ebill-ops-backup"})
        yield env
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def find_tool(name: str, server_major: int | None = None) -> str:
    """The client tool for the server's major version (pg_dump must not be older than the server)."""
    env_dir = os.environ.get("EBILL_PG_BINDIR")
    candidates = [env_dir] if env_dir else []
    if server_major:
        candidates.append(f"/usr/lib/postgresql/{server_major}/bin")
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for directory in candidates:
        path = Path(directory) / name
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
    found = shutil.which(name)
    if found:
        return found
    raise FileNotFoundError(f"{name} not found: install the PostgreSQL client tools or set EBILL_PG_BINDIR")


def run_tool(args: Sequence[str], env: dict[str, str], timeout_s: float) -> subprocess.CompletedProcess[str]:
    """Run a client tool; raise ToolFailed with its stderr (it never contains the password)."""
    log.info("running %s", " ".join(a for a in args if not a.startswith("--snapshot")))
    proc = subprocess.run(list(args), env=env, capture_output=True, text=True, timeout=timeout_s, check=False)
    if proc.returncode != 0:
        lines = [line for line in proc.stderr.splitlines() if line.strip()]
        raise ToolFailed(f"{Path(args[0]).name} exited {proc.returncode}: " + " | ".join(lines[:5])[:800])
    return proc


@dataclass(frozen=True)
class DumpResult:
    path: Path
    stats: dict[str, TableStat]
    relations: list[str]
    server_version: str


def dump(
    conn_id: str,
    schema_name: str,
    tables: Sequence[str],
    target_file: Path,
    *,
    compress_level: int,
    timeout_minutes: int,
) -> DumpResult:
    """Dump the core tables (with their partitions) in one snapshot and read their figures in it."""
    import psycopg

    source = target_of(conn_id)
    target_file.parent.mkdir(parents=True, exist_ok=True)
    partial = target_file.with_name(target_file.name + ".partial")
    with db.connect(conn_id, read_only=True) as src:
        src.conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        snapshot = src.rows_sql("SELECT pg_export_snapshot() AS snapshot")[0]["snapshot"]
        version = src.rows_sql("SELECT current_setting('server_version_num') AS v")[0]["v"]
        relations = []
        for table in tables:
            rows = src.rows("backup/table_parts", {"schema_name": schema_name, "table_name": table})
            relations += [r["relation"] for r in rows]
        stats = table_stats(src, tables)
        args = [find_tool("pg_dump", int(version) // 10000), *source.args(), "--format=custom"]
        args += [f"--compress={compress_level}", f"--snapshot={snapshot}", "--no-sync", f"--file={partial}"]
        for relation in relations:
            args += ["--table", relation]
        with passfile([source]) as env:
            run_tool(args, env, timeout_minutes * 60)
    os.replace(partial, target_file)  # only a complete dump gets the real name
    return DumpResult(target_file, stats, relations, version)


def list_contents(path: Path, timeout_minutes: int = 10) -> list[str]:
    """``pg_restore --list``: the table of contents (reads the header and TOC, not the data)."""
    proc = run_tool([find_tool("pg_restore"), "--list", str(path)], dict(os.environ), timeout_minutes * 60)
    return [line for line in proc.stdout.splitlines() if line and not line.startswith(";")]


def _admin(conn_id: str) -> db.Db:
    return db.open_connection(db.get_airflow_connection(conn_id), read_only=False, autocommit=True)


def drop_scratch(conn_id: str, database: str, attempts: int = 3) -> None:
    """Drop the scratch database. Plain ``DROP DATABASE`` first: it stops autovacuum workers that
    a fresh restore attracts (``WITH (FORCE)`` would need the right to signal them); FORCE only
    for our own sessions left behind by a killed run."""
    import psycopg
    from psycopg import sql

    plain = sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(database))
    forced = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
    admin = _admin(conn_id)
    try:
        for attempt in range(attempts):
            try:
                admin.conn.execute(plain)
                return
            except psycopg.errors.ObjectInUse:
                try:
                    admin.conn.execute(forced)
                    return
                except psycopg.errors.InsufficientPrivilege:
                    if attempt == attempts - 1:
                        raise
    finally:
        admin.conn.close()


def table_stats(target: db.Db, tables: Sequence[str], *, missing_ok: bool = False) -> dict[str, TableStat]:
    """Rows, amount and content hash per core table (``backup/stats/<table>``)."""
    import psycopg

    out: dict[str, TableStat] = {}
    for table in tables:
        try:
            out.update(stats_by_table(target.rows(f"backup/stats/{table}")))
        except psycopg.errors.UndefinedTable:
            if not missing_ok:
                raise
            target.rollback()  # a table the restore did not bring back: the comparison reports it
    return out


def test_restore(
    path: Path,
    conn_id: str,
    database: str,
    schema_name: str,
    tables: Sequence[str],
    *,
    timeout_minutes: int,
    keep_on_failure: bool,
) -> dict[str, TableStat]:
    """Restore into a fresh scratch database, read the figures there, drop it again."""
    import psycopg
    from psycopg import sql

    target = target_of(conn_id).with_db(database)
    drop_scratch(conn_id, database)
    admin = _admin(conn_id)
    try:
        admin.conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    finally:
        admin.conn.close()
    ok = False
    try:
        with psycopg.connect(**target.conninfo(), autocommit=True) as scratch:
            scratch.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema_name)))
        args = [find_tool("pg_restore"), *target.args(), "--no-owner", "--no-privileges", "--exit-on-error"]
        with passfile([target]) as env:
            run_tool([*args, str(path)], env, timeout_minutes * 60)
        with psycopg.connect(**target.conninfo(), autocommit=True) as scratch:
            restored = table_stats(db.Db(scratch, "postgresql"), tables, missing_ok=True)
        ok = True
        return restored
    finally:
        if ok or not keep_on_failure:
            drop_scratch(conn_id, database)
        else:
            log.warning("kept scratch database %s of a failed restore for inspection", database)
