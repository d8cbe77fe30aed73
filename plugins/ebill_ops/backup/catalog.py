"""The backup catalogue in ebops: one entry per day and method, its checksum, figures and verdict."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any

from ebill_ops.backup.checks import TableCheck, TableStat, stats_from_json, stats_to_json
from ebill_ops.db import Db


def record(
    ops: Db,
    *,
    backup_date: dt.date,
    method: str,
    file_url: str,
    size_bytes: int | None,
    sha256: str | None,
    started_at: dt.datetime,
    finished_at: dt.datetime | None,
    status: str,
    verdict: str,
    stats: Mapping[str, TableStat],
) -> None:
    """Replace the day's entry (a re-run of the day's backup replaces its file and its entry)."""
    key = {"backup_date": backup_date, "method": method}
    ops.execute("backup/delete_table_checks", key)
    ops.execute("backup/delete_catalog", key)
    ops.execute(
        "backup/insert_catalog",
        {
            **key,
            "file_url": file_url[:1000],
            "size_bytes": size_bytes,
            "sha256": sha256,
            "started_at": started_at,
            "finished_at": finished_at,
            "status": status,
            "verdict": verdict[:1000],
            "source_stats": json.dumps(stats_to_json(stats), sort_keys=True),
        },
    )


def entry(ops: Db, backup_date: dt.date, method: str) -> dict[str, Any] | None:
    row = ops.one("backup/catalog_entry", {"backup_date": backup_date, "method": method})
    if row is None:
        return None
    text = row.get("source_stats")
    text = text.read() if hasattr(text, "read") else text  # an Oracle CLOB
    row["stats"] = stats_from_json(json.loads(text)) if text else {}
    return row


def history(ops: Db, backup_date: dt.date, method: str) -> list[dict[str, Any]]:
    return ops.rows("backup/catalog_history", {"backup_date": backup_date, "method": method})


def set_verdict(
    ops: Db, backup_date: dt.date, method: str, status: str, verdict: str, at: dt.datetime
) -> None:
    ops.execute(
        "backup/set_verdict",
        {
            "backup_date": backup_date,
            "method": method,
            "status": status,
            "verdict": verdict[:1000],
            "verified_at": at,
        },
    )


def save_table_checks(
    ops: Db, backup_date: dt.date, method: str, checks: Sequence[TableCheck], at: dt.datetime
) -> None:
    key = {"backup_date": backup_date, "method": method}
    ops.execute("backup/delete_table_checks", key)
    ops.executemany(
        "backup/insert_table_check",
        [
            {
                **key,
                "table_name": c.table_name,
                "source_rows": c.source.rows if c.source else None,
                "restored_rows": c.restored.rows if c.restored else None,
                "source_amount": c.source.amount if c.source else None,
                "restored_amount": c.restored.amount if c.restored else None,
                "source_hash": c.source.content_hash if c.source else None,
                "restored_hash": c.restored.content_hash if c.restored else None,
                "matches": int(c.matches),
                "checked_at": at,
            }
            for c in checks
        ],
    )


def mark_removed(ops: Db, backup_date: dt.date, method: str, at: dt.datetime) -> None:
    ops.execute("backup/mark_removed", {"backup_date": backup_date, "method": method, "removed_at": at})
