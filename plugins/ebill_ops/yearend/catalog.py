"""The database dictionary, as plain objects the planner can reason about.

Both dialects answer the same five queries with the same columns (``include/sql/<dialect>/
yearend/``): tables, table_partitions, tablespaces, partition_sizes, index_status. Oracle reads
the ``DBA_*`` views, PostgreSQL ``pg_catalog``. ``Catalog.from_rows`` builds the catalogue from
those rows, so the tests feed it recorded Oracle rows exactly as the live reader does.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ebill_ops.sql import Dialect

QUERIES = ("tables", "table_partitions", "tablespaces", "partition_sizes", "index_status")

_ORACLE_DATE = re.compile(r"^TO_DATE\(\s*'\s*(-?\d{4}-\d{2}-\d{2})(?: (\d{2}:\d{2}:\d{2}))?'", re.IGNORECASE)
_ORACLE_TIMESTAMP = re.compile(
    r"^TIMESTAMP\s*'\s*(\d{4}-\d{2}-\d{2})(?: (\d{2}:\d{2}:\d{2})(?:\.\d+)?)?'", re.IGNORECASE
)
_PG_RANGE = re.compile(r"^FOR VALUES FROM \((.+)\) TO \((.+)\)$", re.IGNORECASE)
_PG_VALUE = re.compile(r"^'(\d{4}-\d{2}-\d{2})(?: (\d{2}:\d{2}:\d{2}))?'$")


class UnknownBound(ValueError):
    """A partition bound the planner does not understand (not a date range)."""


@dataclass(frozen=True)
class OracleBound:
    high: dt.datetime | None  # None: MAXVALUE
    key_kind: str  # DATE | TIMESTAMP | MAXVALUE


def parse_oracle_high_value(text: str | None) -> OracleBound:
    """``TO_DATE(' 2027-01-01 00:00:00', 'SYYYY-MM-DD HH24:MI:SS', ...)``, ``TIMESTAMP' ...'`` or ``MAXVALUE``."""
    value = (text or "").strip()
    if value.upper() == "MAXVALUE":
        return OracleBound(None, "MAXVALUE")
    for pattern, kind in ((_ORACLE_DATE, "DATE"), (_ORACLE_TIMESTAMP, "TIMESTAMP")):
        found = pattern.match(value)
        if found:
            if found.group(1).startswith("-"):
                raise UnknownBound(f"a date before the common era: {value!r}")
            return OracleBound(_datetime(found.group(1), found.group(2)), kind)
    raise UnknownBound(f"not a date bound: {value[:120]!r}")


def parse_postgres_bound(text: str | None) -> tuple[dt.datetime | None, dt.datetime | None, bool]:
    """``FOR VALUES FROM ('…') TO ('…')`` -> (low, high, is_default); None for MINVALUE / MAXVALUE."""
    value = (text or "").strip()
    if value.upper() == "DEFAULT":
        return None, None, True
    found = _PG_RANGE.match(value)
    if not found:
        raise UnknownBound(f"not a range bound: {value[:120]!r}")
    return _pg_value(found.group(1)), _pg_value(found.group(2)), False


def _pg_value(text: str) -> dt.datetime | None:
    text = text.strip()
    if text.upper() in ("MINVALUE", "MAXVALUE"):
        return None
    found = _PG_VALUE.match(text)
    if not found:
        raise UnknownBound(f"not a single date: {text[:80]!r}")
    return _datetime(found.group(1), found.group(2))


def _datetime(day: str, time: str | None) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day} {time or '00:00:00'}")


@dataclass(frozen=True)
class Partition:
    table: str
    name: str
    position: int
    low: dt.datetime | None  # None: unbounded below (the first partition, or MINVALUE)
    high: dt.datetime | None  # None: MAXVALUE (or a default partition)
    tablespace: str | None
    compression: str | None = None  # Oracle: ENABLED | DISABLED
    compress_for: str | None = None  # Oracle: BASIC | ADVANCED | ...
    options: tuple[str, ...] = ()  # PostgreSQL reloptions
    num_rows: int | None = None
    is_interval: bool = False
    is_default: bool = False

    def covers(self, when: dt.datetime) -> bool:
        above = self.low is None or when >= self.low
        below = self.high is None or when < self.high
        return not self.is_default and above and below


@dataclass
class Table:
    owner: str
    name: str
    partitioning: str | None  # RANGE | LIST | HASH | None (not partitioned)
    interval: str | None = None  # Oracle interval expression; None when not interval-partitioned
    key_columns: tuple[str, ...] = ()
    default_tablespace: str | None = None
    key_kind: str = "DATE"
    partitions: list[Partition] = field(default_factory=list)
    unparsed: list[str] = field(default_factory=list)  # partitions whose bound is not a date range

    @property
    def range_partitions(self) -> list[Partition]:
        return [p for p in self.partitions if not p.is_default]

    @property
    def max_partition(self) -> Partition | None:
        """The partition bounded by MAXVALUE, if any (new periods must be split off it)."""
        return next((p for p in self.range_partitions if p.high is None), None)

    @property
    def highest_bound(self) -> dt.datetime | None:
        bounds = [p.high for p in self.range_partitions if p.high is not None]
        return max(bounds) if bounds else None

    def partition(self, name: str) -> Partition | None:
        return next((p for p in self.partitions if p.name == name), None)


@dataclass(frozen=True)
class Tablespace:
    name: str
    status: str  # ONLINE | READ ONLY | OFFLINE
    bigfile: bool | None = None
    size_bytes: int | None = None
    max_bytes: int | None = None
    autoextensible: bool | None = None
    file_count: int | None = None
    location: str | None = None


@dataclass(frozen=True)
class IndexState:
    owner: str
    table: str
    index: str
    table_partition: str | None  # None: a global (non-partitioned) index
    status: str

    @property
    def usable(self) -> bool:
        return self.status.upper() in ("VALID", "USABLE", "N/A")


@dataclass
class Catalog:
    dialect: Dialect
    tables: dict[tuple[str, str], Table]
    tablespaces: dict[str, Tablespace]
    sizes: dict[tuple[str, str, str], dict[str, int]]
    indexes: list[IndexState]

    def name(self, value: str) -> str:
        """A name in the dialect's dictionary case."""
        return value.upper() if self.dialect == "oracle" else value.lower()

    def table(self, owner: str, name: str) -> Table | None:
        return self.tables.get((self.name(owner), self.name(name)))

    def partition_bytes(self, owner: str, table: str, partition: str) -> int | None:
        found = self.sizes.get((self.name(owner), self.name(table), self.name(partition)))
        return sum(found.values()) if found else None

    @classmethod
    def from_rows(cls, dialect: Dialect, rows: Mapping[str, Iterable[Mapping[str, Any]]]) -> Catalog:
        """Build from the rows of the five catalogue queries (keys: the query names in ``QUERIES``)."""
        tables: dict[tuple[str, str], Table] = {}
        for row in rows.get("tables", []):
            key = (row["owner"], row["table_name"])
            tables[key] = Table(
                owner=row["owner"],
                name=row["table_name"],
                partitioning=row.get("partitioning_type"),
                interval=row.get("interval_expr") or None,
                key_columns=tuple(filter(None, (row.get("key_columns") or "").split(","))),
                default_tablespace=row.get("def_tablespace_name"),
            )
        by_table: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
        for row in rows.get("table_partitions", []):
            by_table.setdefault((row["owner"], row["table_name"]), []).append(row)
        for key, parts in by_table.items():
            table = tables.setdefault(key, Table(owner=key[0], name=key[1], partitioning="RANGE"))
            if dialect == "oracle":
                _oracle_partitions(table, parts)
            else:
                _postgres_partitions(table, parts)
        tablespaces = {
            row["tablespace_name"]: Tablespace(
                name=row["tablespace_name"],
                status=(row.get("status") or "ONLINE").upper(),
                bigfile=_flag(row.get("bigfile")),
                size_bytes=_int(row.get("size_bytes")),
                max_bytes=_int(row.get("max_bytes")),
                autoextensible=_flag(row.get("autoextensible")),
                file_count=_int(row.get("file_count")),
                location=row.get("location") or None,
            )
            for row in rows.get("tablespaces", [])
        }
        sizes: dict[tuple[str, str, str], dict[str, int]] = {}
        for row in rows.get("partition_sizes", []):
            entry = sizes.setdefault((row["owner"], row["table_name"], row["partition_name"]), {})
            entry[row["kind"]] = entry.get(row["kind"], 0) + int(row["bytes"] or 0)
        indexes = [
            IndexState(
                owner=row["owner"],
                table=row["table_name"],
                index=row["index_name"],
                table_partition=row.get("table_partition") or None,
                status=str(row["status"]),
            )
            for row in rows.get("index_status", [])
        ]
        return cls(dialect, tables, tablespaces, sizes, indexes)


def _oracle_partitions(table: Table, rows: list[Mapping[str, Any]]) -> None:
    low: dt.datetime | None = None
    for row in sorted(rows, key=lambda r: int(r["partition_position"])):
        try:
            bound = parse_oracle_high_value(row["high_value"])
        except UnknownBound as exc:
            table.unparsed.append(f"{row['partition_name']}: {exc}")
            continue
        if bound.key_kind != "MAXVALUE":
            table.key_kind = bound.key_kind
        table.partitions.append(
            Partition(
                table=table.name,
                name=row["partition_name"],
                position=int(row["partition_position"]),
                low=low,
                high=bound.high,
                tablespace=row.get("tablespace_name"),
                compression=row.get("compression"),
                compress_for=row.get("compress_for"),
                num_rows=_int(row.get("num_rows")),
                is_interval=str(row.get("is_interval") or "NO").upper() == "YES",
            )
        )
        low = bound.high


def _postgres_partitions(table: Table, rows: list[Mapping[str, Any]]) -> None:
    parsed = []
    for row in rows:
        try:
            low, high, is_default = parse_postgres_bound(row["high_value"])
        except UnknownBound as exc:
            table.unparsed.append(f"{row['partition_name']}: {exc}")
            continue
        parsed.append((row, low, high, is_default))
    far = dt.datetime.max
    parsed.sort(key=lambda x: (x[3], x[1] or dt.datetime.min, x[2] or far))
    for position, (row, low, high, is_default) in enumerate(parsed, start=1):
        options = tuple(filter(None, (row.get("options") or "").split(",")))
        table.partitions.append(
            Partition(
                table=table.name,
                name=row["partition_name"],
                position=position,
                low=low,
                high=high,
                tablespace=row.get("tablespace_name"),
                options=options,
                num_rows=_int(row.get("num_rows")),
                is_default=is_default,
            )
        )


def _flag(value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    return str(value).upper() in ("YES", "Y", "TRUE", "1")


def _int(value: Any) -> int | None:
    return None if value is None else int(value)
