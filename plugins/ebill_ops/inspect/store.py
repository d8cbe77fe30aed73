"""Findings and runs in ``ebops``: each check task replaces its own rows of the day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ebill_ops.db import Db
from ebill_ops.inspect.findings import Finding, from_row
from ebill_ops.intervals import local_now


def save_findings(ops: Db, check_date: dt.date, source: str, findings: Iterable[Finding]) -> int:
    """Delete the source's rows of the day, then insert these (a re-run gives the same table)."""
    now = local_now()
    rows = [finding_row(check_date, source, f, now) for f in _unique(findings)]
    ops.execute("inspect/delete_findings", {"check_date": check_date, "source": source})
    ops.executemany("inspect/insert_finding", rows)
    return len(rows)


def finding_row(check_date: dt.date, source: str, f: Finding, observed_at: dt.datetime) -> dict[str, Any]:
    """The binds of ``inspect/insert_finding``: exactly its placeholders (Oracle rejects extra ones,
    and ``:check`` would be a reserved word there, ORA-01745)."""
    row = f.row()
    row["check_name"] = row.pop("check")
    return {
        **row,
        "check_date": check_date,
        "source": source,
        "target": f.target[:300],
        "threshold": f.threshold[:200],
        "advice": f.advice[:1000],
        "detail": f.detail[:1000],
        "observed_at": observed_at,
    }


def _unique(findings: Iterable[Finding]) -> list[Finding]:
    """One row per key; when a check reports a key twice, the worse one wins."""
    from ebill_ops.inspect.findings import SEVERITY_ORDER

    by_key: dict[tuple[str, str, str], Finding] = {}
    for f in findings:
        k = (f.category, f.check, f.target[:300])
        if k not in by_key or SEVERITY_ORDER[f.severity] > SEVERITY_ORDER[by_key[k].severity]:
            by_key[k] = f
    return list(by_key.values())


@dataclass(frozen=True)
class Stored:
    source: str
    observed_at: dt.datetime
    finding: Finding


def findings_of(ops: Db, check_date: dt.date) -> list[Stored]:
    """Every finding of one inspection date with the source and time that wrote it."""
    rows = ops.rows("inspect/findings_of_date", {"check_date": check_date})
    return [Stored(r["source"], r["observed_at"], from_row(r)) for r in rows]


def previous_findings(ops: Db, check_date: dt.date, source: str) -> dict[str, Finding]:
    rows = ops.rows("inspect/previous_findings", {"check_date": check_date, "source": source})
    return {f.key: f for f in map(from_row, rows)}


def previous_observed(ops: Db, check_date: dt.date, source: str) -> dt.datetime | None:
    row = ops.one("inspect/previous_observed", {"check_date": check_date, "source": source})
    return row["observed_at"] if row else None


def get_run(ops: Db, check_date: dt.date) -> dict[str, Any] | None:
    return ops.one("inspect/get_run", {"check_date": check_date})


def save_run(ops: Db, run: dict[str, Any]) -> None:
    ops.execute("inspect/delete_run", {"check_date": run["check_date"]})
    ops.execute("inspect/insert_run", run)


def trend(ops: Db, from_date: dt.date, to_date: dt.date) -> list[dict[str, Any]]:
    return ops.rows("inspect/trend", {"from_date": from_date, "to_date": to_date})


def last_backups(ops: Db) -> list[dict[str, Any]]:
    return ops.rows("inspect/last_backups")
