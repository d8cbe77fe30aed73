"""The advisor's own tables in ebops: findings per week and source (a re-run replaces its own
rows), top-SQL snapshots (the baseline of next week's difference), and one row per report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from ebill_ops.db import Db
from ebill_ops.intervals import as_date
from ebill_ops.perf.findings import Finding


def replace_findings(
    ops: Db, week_start: dt.date, source: str, findings: Iterable[Finding], observed_at: dt.datetime
) -> int:
    rows = [
        {**f.row(), "week_start": week_start, "source": source, "observed_at": observed_at} for f in findings
    ]
    # One row per (category, target): a later duplicate (same statement twice) keeps the first.
    unique: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        unique.setdefault((row["category"], row["target"]), row)
    ops.execute("perf/delete_findings", {"week_start": week_start, "source": source})
    ops.executemany("perf/insert_finding", list(unique.values()))
    return len(unique)


def findings_of_week(ops: Db, week_start: dt.date) -> list[dict[str, Any]]:
    """The week's findings; ``facts`` as text (Oracle returns its CLOB as a LOB that can only be
    read while the connection is open, and the report is rendered after it closes)."""
    rows = ops.rows("perf/findings_of_week", {"week_start": week_start})
    for row in rows:
        if hasattr(row.get("facts"), "read"):
            row["facts"] = row["facts"].read()
    return rows


def later_week(ops: Db, week_start: dt.date) -> dt.date | None:
    """The first later week with a recorded report, if any."""
    row = ops.one("perf/later_run", {"week_start": week_start})
    return as_date(row["later_week"]) if row and row.get("later_week") is not None else None


def previous_snapshot(ops: Db, week_start: dt.date, source: str) -> dict[str, dict[str, Any]]:
    """The baseline: the latest snapshot taken for an earlier week, by sql_id."""
    rows = ops.rows("perf/previous_snapshot", {"week_start": week_start, "source": source})
    return {str(r["sql_id"]): r for r in rows}


def replace_snapshot(
    ops: Db, week_start: dt.date, source: str, rows: Iterable[Mapping[str, Any]], taken_at: dt.datetime
) -> None:
    ops.execute("perf/delete_snapshot", {"week_start": week_start, "source": source})
    ops.executemany(
        "perf/insert_snapshot",
        [{**r, "week_start": week_start, "source": source, "taken_at": taken_at} for r in rows],
    )


def get_run(ops: Db, week_start: dt.date) -> dict[str, Any] | None:
    return ops.one("perf/get_run", {"week_start": week_start})


def save_run(ops: Db, row: Mapping[str, Any]) -> None:
    ops.execute("perf/delete_run", {"week_start": row["week_start"]})
    ops.execute("perf/insert_run", dict(row))
