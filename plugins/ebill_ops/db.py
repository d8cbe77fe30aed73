"""Database access by Airflow connection id, in the connection's own dialect.

One small wrapper over DB-API drivers (psycopg 3 for PostgreSQL, python-oracledb thin mode for
Oracle) so capability code reads ``db.rows("recon/platform_totals", params)`` and never cares
which engine answers. Connections are opened inside tasks only; nothing here runs at import.
Read-only sessions are the default: writing needs ``read_only=False`` on purpose.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ebill_ops.sql import Dialect, dialect_for_conn_type, load_sql, split_statements

Params = Mapping[str, Any] | None
log = logging.getLogger(__name__)


def get_airflow_connection(conn_id: str) -> Any:
    """The Airflow connection (from the metadata DB, a secrets backend or ``AIRFLOW_CONN_*``)."""
    from airflow.sdk import BaseHook

    return BaseHook.get_connection(conn_id)


def postgres_conninfo(conn: Any, *, read_only: bool) -> dict[str, Any]:
    """psycopg keyword arguments for an Airflow connection (password never logged)."""
    extra = dict(conn.extra_dejson or {})
    kwargs: dict[str, Any] = {
        "host": conn.host or "127.0.0.1",
        "port": conn.port or 5432,
        "dbname": conn.schema or extra.pop("dbname", None) or "postgres",
        "user": conn.login,
        "password": conn.password,
        "application_name": extra.pop("application_name", "ebill-ops"),
        "connect_timeout": int(extra.pop("connect_timeout", 10)),
    }
    options = []
    if read_only:
        options.append("-c default_transaction_read_only=on")
    if "statement_timeout" in extra:
        options.append(f"-c statement_timeout={int(extra.pop('statement_timeout'))}")
    if options:
        kwargs["options"] = " ".join(options)
    for key in ("sslmode", "sslrootcert", "sslcert", "sslkey"):
        if key in extra:
            kwargs[key] = extra[key]
    return {k: v for k, v in kwargs.items() if v is not None}


@dataclass
class Db:
    """An open connection and its dialect, with helpers that load SQL by name."""

    conn: Any
    dialect: Dialect
    read_only: bool = False

    def _cursor(self) -> Any:
        return self.conn.cursor()

    def sql(self, name: str) -> str:
        return load_sql(name, self.dialect)

    def rows_sql(self, text: str, params: Params = None) -> list[dict[str, Any]]:
        with self._cursor() as cur:
            cur.execute(text, params or {})
            if cur.description is None:
                return []
            names = [d[0].lower() for d in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def rows(self, name: str, params: Params = None) -> list[dict[str, Any]]:
        """All rows of query ``name`` as dicts with lower-case keys."""
        return self.rows_sql(self.sql(name), params)

    def one(self, name: str, params: Params = None) -> dict[str, Any] | None:
        found = self.rows(name, params)
        return found[0] if found else None

    def execute_sql(self, text: str, params: Params = None) -> int:
        with self._cursor() as cur:
            cur.execute(text, params or {})
            return cur.rowcount

    def execute(self, name: str, params: Params = None) -> int:
        return self.execute_sql(self.sql(name), params)

    def executemany(self, name: str, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        with self._cursor() as cur:
            cur.executemany(self.sql(name), list(rows))

    def run_script(self, name: str) -> int:
        """Run every statement of a script file; returns how many ran."""
        statements = split_statements(self.sql(name))
        with self._cursor() as cur:
            for statement in statements:
                cur.execute(statement)
        return len(statements)

    def iter_tuples(self, text: str, params: Params = None, *, batch: int = 50_000) -> Iterator[list[tuple]]:
        """Stream a large result in batches without holding it all in memory."""
        if self.dialect == "postgresql":
            import uuid

            cur = self.conn.cursor(name=f"ebops_{uuid.uuid4().hex[:12]}")
            cur.itersize = batch
        else:
            cur = self.conn.cursor()
            cur.arraysize = batch
            cur.prefetchrows = batch
        try:
            cur.execute(text, params or {})
            while True:
                chunk = cur.fetchmany(batch)
                if not chunk:
                    break
                yield chunk
        finally:
            cur.close()

    def begin_read_only(self) -> None:
        """Oracle has read-only *transactions*, not sessions: each one must be begun again after a
        commit or rollback. (PostgreSQL's ``default_transaction_read_only`` lasts the session.)"""
        if self.read_only and self.dialect == "oracle" and not self.conn.autocommit:
            with self._cursor() as cur:
                cur.execute("SET TRANSACTION READ ONLY")

    def commit(self) -> None:
        self.conn.commit()
        self.begin_read_only()

    def rollback(self) -> None:
        self.conn.rollback()
        self.begin_read_only()

    def rollback_quietly(self) -> None:
        """After a failed statement: roll back so the next one starts clean; a failure here is moot."""
        try:
            self.rollback()
        except Exception:
            log.debug("rollback after a failed statement failed too", exc_info=True)


def dialect_of(conn_id: str) -> Dialect:
    return dialect_for_conn_type(get_airflow_connection(conn_id).conn_type)


def open_connection(airflow_conn: Any, *, read_only: bool = True, autocommit: bool = False) -> Db:
    dialect = dialect_for_conn_type(airflow_conn.conn_type)
    if dialect == "postgresql":
        import psycopg

        raw = psycopg.connect(**postgres_conninfo(airflow_conn, read_only=read_only), autocommit=autocommit)
    else:
        import oracledb

        extra = airflow_conn.extra_dejson or {}
        dsn = extra.get("dsn") or oracledb.makedsn(
            airflow_conn.host,
            airflow_conn.port or 1521,
            service_name=extra.get("service_name") or airflow_conn.schema,
        )
        raw = oracledb.connect(user=airflow_conn.login, password=airflow_conn.password, dsn=dsn)
        raw.autocommit = autocommit
    db = Db(conn=raw, dialect=dialect, read_only=read_only)
    db.begin_read_only()
    return db


@contextmanager
def connect(conn_id: str, *, read_only: bool = True, autocommit: bool = False) -> Iterator[Db]:
    """Open ``conn_id``; commit on success when writable, roll back on error, always close."""
    db = open_connection(get_airflow_connection(conn_id), read_only=read_only, autocommit=autocommit)
    try:
        yield db
        if not read_only and not autocommit:
            db.commit()
    except BaseException:
        if not autocommit:
            db.rollback()
        raise
    finally:
        db.conn.close()
