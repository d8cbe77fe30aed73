"""``executemany`` in groups of rows whose NULLs are in the same places.

python-oracledb fixes each bind's type from the first row of an ``executemany``; a later row with
a datetime where the first had None (or the reverse) is then refused. Grouping rows by which
values are None keeps every call uniform; psycopg does not care, and it costs nothing there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ebill_ops.db import Db


def executemany_uniform(db: Db, name: str, rows: Sequence[Mapping[str, Any]]) -> None:
    groups: dict[tuple[bool, ...], list[Mapping[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(v is None for v in row.values()), []).append(row)
    for group in groups.values():
        db.executemany(name, group)
