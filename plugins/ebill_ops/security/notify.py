"""Incidents and the weekly mail: a finding that stays the same is not mailed again next week.

Every warning or critical finding is an incident ``security:<source>:<rule>:<target>``. It mails
when it opens, when it gets worse (a weak password of an account that became privileged), and
when it clears — including when it no longer appears in a source that was audited this week.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from ebill_ops import alerts, incidents
from ebill_ops.db import Db
from ebill_ops.security.findings import Finding

DAG_ID = "ebill_security_audit"
PREFIX = "security:"


def incident_key(finding: Finding) -> str:
    return f"{PREFIX}{finding.key}"


def _from_key(source: str, key: str) -> Finding:
    """A cleared finding, rebuilt from its incident key (it is no longer in this week's rows)."""
    rule, _, target = key.removeprefix(f"{PREFIX}{source}:").partition(":")
    return Finding(source, rule, target, "info", "不再出现 no longer found", "")


def track(
    ops: Db,
    findings: Iterable[Finding],
    audited_sources: Iterable[str],
    *,
    now: dt.datetime | None = None,
) -> list[tuple[incidents.Outcome, Finding]]:
    """Record every finding's state; close incidents of audited sources that no longer report them.

    The caller commits only after the mail went out, so a mail that fails is sent by the retry.
    """
    outcomes = []
    active: set[str] = set()
    for f in findings:
        key = incident_key(f)
        if f.actionable:
            active.add(key)
        outcome = incidents.track(
            ops,
            key,
            active=f.actionable,
            severity=f.severity,
            summary=f"{f.label} {f.target}: {f.detail}",
            now=now,
        )
        outcomes.append((outcome, f))
    for source in sorted(set(audited_sources)):
        for outcome in incidents.recover_absent(
            ops, f"{PREFIX}{source}:", active, summary="no longer found by the security audit", now=now
        ):
            outcomes.append((outcome, _from_key(source, outcome.key)))
    return outcomes


def changes(outcomes: Sequence[tuple[incidents.Outcome, Finding]]) -> dict[str, list[Finding]]:
    new = [f for o, f in outcomes if o.decision in ("open", "escalate")]
    recovered = [f for o, f in outcomes if o.decision == "recover"]
    return {"new": new, "recovered": recovered}


def mail(
    html_body: str,
    *,
    week_label: str,
    change: dict[str, list[Finding]],
    totals: dict[str, int],
    report_url: str,
    to: Iterable[str] | None = None,
) -> list[str]:
    """One mail: the report, with what changed on top; the subject says how bad the news is."""
    new, recovered = change.get("new", []), change.get("recovered", [])
    if any(f.severity == "critical" for f in new):
        kind = "critical"
    elif new:
        kind = "alert"
    elif recovered:
        kind = "recovered"
    else:
        kind = "report"
    detail = (
        f"安全审计 security audit {week_label}: {len(new)} 新增/加重 new, {len(recovered)} 已解决 cleared; "
        f"open {totals['critical']} critical, {totals['warning']} warning"
    )
    return alerts.send_report(kind, DAG_ID, detail, html_body, report_url, to=to)


def finding_rows(findings: Iterable[Finding], limit: int = 200) -> list[dict[str, Any]]:
    """Small XCom-safe rows (names and rules only) of the findings that need a person."""
    return [
        {"source": f.source, "rule": f.rule, "target": f.target, "severity": f.severity}
        for f in findings
        if f.actionable
    ][:limit]
