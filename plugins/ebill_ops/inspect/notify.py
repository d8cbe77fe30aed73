"""Tell people: critical findings at once (one mail per incident), the report once per content.

Each finding is an incident ``inspect:<source>:<category>:<check>:<target>``: a critical one opens
it (mail), the same critical tomorrow is ongoing (no mail), and its return to normal — or its
disappearance from a source that did report today — closes it with a recovery notice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from ebill_ops import alerts, db, incidents
from ebill_ops.config import common
from ebill_ops.inspect.findings import Finding

DAG_ID = "ebill_daily_inspection"
PREFIX = "inspect:"


def incident_key(source: str, finding: Finding) -> str:
    return f"{PREFIX}{source}:{finding.key}"


def _row(finding: Finding) -> dict[str, Any]:
    value = "" if finding.value is None else f"{finding.value:g} {finding.unit}".strip()
    return {**finding.row(), "check": finding.label, "value": value}


def alert_criticals(
    pairs: Iterable[tuple[str, Finding]], *, report_url: str | None = None, now: dt.datetime | None = None
) -> dict[str, int]:
    """Track every finding as an incident; mail the new or worse criticals and the recoveries."""
    pairs = list(pairs)
    sources = {source for source, _ in pairs}
    outcomes = []
    with db.connect(common().connections.ebops_db, read_only=False) as ops:
        seen: set[str] = set()
        for source, finding in pairs:
            key = incident_key(source, finding)
            seen.add(key)
            outcome = incidents.track(
                ops,
                key,
                active=finding.severity == "critical",
                severity=finding.severity,
                summary=f"{finding.label} {finding.target}: {finding.detail or finding.value}",
                now=now,
            )
            outcomes.append((outcome, _row(finding)))
        for source in sorted(sources):
            for outcome in incidents.recover_absent(
                ops, f"{PREFIX}{source}:", seen, summary="no longer reported by the inspection", now=now
            ):
                target = outcome.key.removeprefix(f"{PREFIX}{source}:")
                outcomes.append(
                    (
                        outcome,
                        {
                            "severity": "ok",
                            "check": "-",
                            "target": target,
                            "advice": "不再出现 no longer reported",
                        },
                    )
                )
        # Mailed before the incidents commit: if the mail fails, the retry decides (and mails) again.
        links = {"Report 报告": report_url} if report_url else None
        return alerts.notify_outcomes(DAG_ID, outcomes, title="巡检 inspection", links=links)


def mail_report(
    check_date: dt.date,
    html_body: str,
    *,
    worst: str,
    counts: dict[str, int],
    report_url: str,
    updated: bool,
    to: list[str] | None = None,
) -> list[str]:
    kind = "critical" if worst == "critical" else ("alert" if worst == "warning" else "report")
    detail = (
        f"{'更新 updated ' if updated else ''}日常巡检 {check_date}: "
        f"{counts['critical']} critical, {counts['warning']} warning, {counts['ok']} ok"
    )
    return alerts.send_report(kind, DAG_ID, detail, html_body, report_url, to=to)
