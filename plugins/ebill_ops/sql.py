"""SQL text lives in ``include/sql/<dialect>/<name>.sql``; this module finds the right file.

Oracle is the production dialect, PostgreSQL (and the openGauss / KingbaseES family) the second.
Each dialect file uses its driver's native bind style: ``:name`` for python-oracledb and
``%(name)s`` for psycopg. A query name must exist in both dialects (a test enforces it).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from ebill_ops.paths import sql_dir

Dialect = Literal["oracle", "postgresql"]
DIALECTS: tuple[Dialect, ...] = ("oracle", "postgresql")

# Airflow connection types (and a few common aliases) to our two dialects.
_CONN_TYPE_DIALECT: dict[str, Dialect] = {
    "oracle": "oracle",
    "postgres": "postgresql",
    "postgresql": "postgresql",
    "opengauss": "postgresql",
    "kingbase": "postgresql",
    "kingbasees": "postgresql",
}


class UnknownQuery(LookupError):
    """A query name with no file for the requested dialect."""


def dialect_for_conn_type(conn_type: str) -> Dialect:
    try:
        return _CONN_TYPE_DIALECT[conn_type.lower()]
    except KeyError:
        known = ", ".join(sorted(_CONN_TYPE_DIALECT))
        raise ValueError(f"connection type {conn_type!r} is not a supported database ({known})") from None


def sql_path(name: str, dialect: Dialect) -> Path:
    return sql_dir() / dialect / f"{name}.sql"


@lru_cache(maxsize=512)
def load_sql(name: str, dialect: Dialect) -> str:
    """The text of query ``name`` (e.g. ``"recon/platform_totals"``) for ``dialect``."""
    path = sql_path(name, dialect)
    if not path.is_file():
        raise UnknownQuery(f"no SQL file {dialect}/{name}.sql under {sql_dir()}")
    return path.read_text(encoding="utf-8")


def query_names(dialect: Dialect) -> set[str]:
    """All query names of a dialect, as relative paths without the ``.sql`` suffix."""
    root = sql_dir() / dialect
    return {p.relative_to(root).with_suffix("").as_posix() for p in root.rglob("*.sql")}


def split_statements(text: str) -> list[str]:
    """Split a script into statements on ``;`` at the end of a line, ignoring ``--`` comment lines.

    Enough for our DDL files, which keep one statement per ``;``-terminated block and no PL/SQL.
    A line holding only ``/`` (SQL*Plus style) also ends a statement.
    """
    statements: list[str] = []
    current: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("--") and not current:
            continue
        if stripped == "/":
            if current:
                statements.append("\n".join(current).strip().rstrip(";"))
                current = []
            continue
        current.append(line)
        if stripped.endswith(";"):
            statement = "\n".join(current).strip()
            statements.append(statement[:-1].rstrip())
            current = []
    tail = "\n".join(current).strip()
    if tail and not all(s.strip().startswith("--") for s in tail.splitlines()):
        statements.append(tail)
    return [s for s in statements if s]
