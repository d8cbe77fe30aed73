"""Findings and coverage in ebops, keyed by audit week and source: a re-run replaces its rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from ebill_ops.db import Db
from ebill_ops.intervals import as_date
from ebill_ops.security.findings import SEVERITY_ORDER, Finding, from_row


def week_of(day: dt.date) -> dt.date:
    """Monday of the ISO week: the key of an audit."""
    return day - dt.timedelta(days=day.weekday())


def week_label(monday: dt.date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def save_source(
    ops: Db,
    *,
    audit_week: dt.date,
    source: str,
    run_id: str,
    as_of: dt.datetime,
    findings: Sequence[Finding],
    coverage: dict[str, Any],
    audited_at: dt.datetime,
) -> None:
    """Replace one source's findings and coverage of the week in one transaction."""
    now = audited_at.replace(microsecond=0)
    key = {"audit_week": audit_week, "source": source}
    ops.execute("security/delete_findings", key)
    ops.execute("security/delete_source", key)
    ops.executemany(
        "security/insert_finding",
        [
            {
                **key,
                "rule": f.rule,
                "target": f.target[:200],
                "category": f.category,
                "severity": f.severity,
                "detail": f.detail[:1000],
                "advice": f.advice[:1000],
                "accepted": f.accepted[:400] or None,
                "run_id": run_id,
                "audited_at": now,
            }
            for f in _unique(findings)
        ],
    )
    ops.execute(
        "security/insert_source",
        {
            **key,
            "run_id": run_id,
            "as_of": as_of.replace(microsecond=0),
            "audited_at": now,
            "accounts": int(coverage.get("accounts", 0)),
            "hashes_tested": int(coverage.get("hashes_tested", 0)),
            "hashes_computed": int(coverage.get("hashes_computed", 0)),
            "limited": int(coverage.get("limited", 0)),
            "untestable": int(coverage.get("untestable", 0)),
            "candidates": int(coverage.get("candidates", 0)),
            "seconds": round(float(coverage.get("seconds", 0.0)), 3),
        },
    )


def _unique(findings: Sequence[Finding]) -> list[Finding]:
    """One row per (rule, target): the worst one wins (a target can match a rule twice)."""
    best: dict[tuple[str, str], Finding] = {}
    for f in findings:
        k = (f.rule, f.target[:200])
        if k not in best or SEVERITY_ORDER[f.severity] > SEVERITY_ORDER[best[k].severity]:
            best[k] = f
    return list(best.values())


def week_findings(ops: Db, audit_week: dt.date) -> list[Finding]:
    return [from_row(r) for r in ops.rows("security/week_findings", {"audit_week": audit_week})]


def week_sources(ops: Db, audit_week: dt.date) -> list[dict[str, Any]]:
    return ops.rows("security/week_sources", {"audit_week": audit_week})


def trend(ops: Db, audit_week: dt.date, weeks: int) -> list[dict[str, Any]]:
    """Counts per week; ``audit_week`` a date in either engine (Oracle's DATE reads as a datetime)."""
    since = audit_week - dt.timedelta(weeks=weeks - 1)
    rows = ops.rows("security/trend", {"since": since, "audit_week": audit_week})
    return [{**r, "audit_week": as_date(r["audit_week"])} for r in rows]
