"""The exact year-end statements, per dialect.

DDL names objects, and names cannot be bind variables, so these statements are built here rather
than kept in ``.sql`` files. Every identifier is checked against a strict pattern before it is
written (and rejected with a clear error otherwise) and every literal is a date or a checked path:
nothing from the database or the settings reaches a statement unchecked.
"""

from __future__ import annotations

import datetime as dt
import re

from ebill_ops.sql import Dialect

ORACLE_NAME = re.compile(r"^[A-Z][A-Z0-9_$#]{0,127}$")
POSTGRES_NAME = re.compile(r"^[a-z_][a-z0-9_$]{0,62}$")
SAFE_PATH = re.compile(r"^/[A-Za-z0-9_./+@-]*$")


class UnsafeName(ValueError):
    """A name or path that will not be written into DDL."""


def ident(name: str, dialect: Dialect) -> str:
    """A plain identifier in the dialect's case (Oracle upper, PostgreSQL lower), checked."""
    value = name.upper() if dialect == "oracle" else name.lower()
    pattern = ORACLE_NAME if dialect == "oracle" else POSTGRES_NAME
    if not pattern.match(value):
        raise UnsafeName(
            f"{name!r} is not a plain {dialect} identifier: year-end DDL only writes unquoted names "
            "(letters, digits, underscore)"
        )
    return value


def qualified(owner: str, name: str, dialect: Dialect) -> str:
    return f"{ident(owner, dialect)}.{ident(name, dialect)}"


def _path(path: str) -> str:
    if not SAFE_PATH.match(path) or ".." in path.split("/"):
        raise UnsafeName(f"{path!r} is not an absolute path of plain characters")
    return path


def bound_literal(value: dt.datetime, dialect: Dialect, key_kind: str = "DATE") -> str:
    """A partition bound: ``DATE '2028-01-01'`` / ``TIMESTAMP '...'`` (Oracle), a quoted timestamp (PostgreSQL)."""
    if dialect == "oracle":
        if key_kind == "TIMESTAMP":
            return f"TIMESTAMP '{value:%Y-%m-%d %H:%M:%S}'"
        if value.time() != dt.time():
            return f"TO_DATE('{value:%Y-%m-%d %H:%M:%S}', 'YYYY-MM-DD HH24:MI:SS')"
        return f"DATE '{value:%Y-%m-%d}'"
    return f"'{value:%Y-%m-%d %H:%M:%S}'"


# --- Oracle ---------------------------------------------------------------------------------


def oracle_session_setup(lock_timeout_seconds: int) -> list[str]:
    """Wait at most this long for a lock on a busy table instead of failing at once (ORA-00054)."""
    return [f"ALTER SESSION SET DDL_LOCK_TIMEOUT = {int(lock_timeout_seconds)}"]


def oracle_create_tablespace(
    name: str,
    *,
    bigfile: bool,
    size: str,
    autoextend: bool,
    next_size: str,
    maxsize: str,
    datafile_dir: str | None,
) -> str:
    ts = ident(name, "oracle")
    kind = "BIGFILE" if bigfile else "SMALLFILE"
    datafile = "DATAFILE"
    if datafile_dir:
        datafile += f" '{_path(datafile_dir.rstrip('/') + '/' + ts.lower() + '_01.dbf')}'"
    extend = f"AUTOEXTEND ON NEXT {next_size} MAXSIZE {maxsize}" if autoextend else "AUTOEXTEND OFF"
    return f"CREATE {kind} TABLESPACE {ts} {datafile} SIZE {size} {extend}"


def oracle_add_partition(
    owner: str, table: str, partition: str, high: dt.datetime, tablespace: str | None, key_kind: str
) -> str:
    where = f" TABLESPACE {ident(tablespace, 'oracle')}" if tablespace else ""
    return (
        f"ALTER TABLE {qualified(owner, table, 'oracle')} ADD PARTITION {ident(partition, 'oracle')} "
        f"VALUES LESS THAN ({bound_literal(high, 'oracle', key_kind)}){where}"
    )


def oracle_split_partition(
    owner: str,
    table: str,
    max_partition: str,
    at: dt.datetime,
    partition: str,
    tablespace: str | None,
    key_kind: str,
) -> str:
    """Carve a period off the MAXVALUE partition (ADD PARTITION is refused above MAXVALUE)."""
    where = f" TABLESPACE {ident(tablespace, 'oracle')}" if tablespace else ""
    top = ident(max_partition, "oracle")
    return (
        f"ALTER TABLE {qualified(owner, table, 'oracle')} SPLIT PARTITION {top} "
        f"AT ({bound_literal(at, 'oracle', key_kind)}) "
        f"INTO (PARTITION {ident(partition, 'oracle')}{where}, PARTITION {top}) UPDATE INDEXES"
    )


def oracle_compress_partition(owner: str, table: str, partition: str, compress_for: str, online: bool) -> str:
    """MOVE rewrites the rows compressed; UPDATE INDEXES keeps local and global indexes usable."""
    clause = {"BASIC": "ROW STORE COMPRESS BASIC", "ADVANCED": "ROW STORE COMPRESS ADVANCED"}[compress_for]
    tail = " ONLINE" if online else ""
    return (
        f"ALTER TABLE {qualified(owner, table, 'oracle')} MOVE PARTITION {ident(partition, 'oracle')} "
        f"{clause} UPDATE INDEXES{tail}"
    )


def oracle_read_only(tablespace: str) -> str:
    return f"ALTER TABLESPACE {ident(tablespace, 'oracle')} READ ONLY"


def oracle_count_rows(owner: str, table: str, partition: str) -> str:
    return (
        f"SELECT COUNT(*) AS row_count FROM {qualified(owner, table, 'oracle')} "
        f"PARTITION ({ident(partition, 'oracle')})"
    )


# --- PostgreSQL ------------------------------------------------------------------------------


def postgres_session_setup(lock_timeout_seconds: int) -> list[str]:
    """Fail after this long instead of queueing every production query behind our lock."""
    return [f"SET lock_timeout = '{int(lock_timeout_seconds)}s'"]


def postgres_create_tablespace(name: str, location: str) -> str:
    return f"CREATE TABLESPACE {ident(name, 'postgresql')} LOCATION '{_path(location)}'"


def postgres_create_partition(
    schema: str, table: str, partition: str, low: dt.datetime, high: dt.datetime, tablespace: str | None
) -> str:
    where = f" TABLESPACE {ident(tablespace, 'postgresql')}" if tablespace else ""
    return (
        f"CREATE TABLE {qualified(schema, partition, 'postgresql')} PARTITION OF "
        f"{qualified(schema, table, 'postgresql')} FOR VALUES FROM ({bound_literal(low, 'postgresql')}) "
        f"TO ({bound_literal(high, 'postgresql')}){where}"
    )


COMPACT_MARKER = "fillfactor=100"


def postgres_compact_partition(schema: str, partition: str) -> list[str]:
    """The closest honest PostgreSQL equivalent of compressing an old partition.

    PostgreSQL heap tables have no block compression. ``VACUUM FULL`` rewrites the partition
    densely (no dead rows, no free space) and rebuilds its indexes; ``FREEZE`` marks the rows
    frozen so later anti-wraparound vacuums skip them; ``ANALYZE`` refreshes statistics. Setting
    ``fillfactor = 100`` afterwards records that the step is done (and keeps pages full).
    """
    name = qualified(schema, partition, "postgresql")
    return [f"VACUUM (FULL, FREEZE, ANALYZE) {name}", f"ALTER TABLE {name} SET (fillfactor = 100)"]


def postgres_count_rows(schema: str, partition: str) -> str:
    return f"SELECT count(*) AS row_count FROM {qualified(schema, partition, 'postgresql')}"


def count_rows(dialect: Dialect, owner: str, table: str, partition: str) -> str:
    if dialect == "oracle":
        return oracle_count_rows(owner, table, partition)
    return postgres_count_rows(owner, partition)


def session_setup(dialect: Dialect, lock_timeout_seconds: int) -> list[str]:
    if dialect == "oracle":
        return oracle_session_setup(lock_timeout_seconds)
    return postgres_session_setup(lock_timeout_seconds)
