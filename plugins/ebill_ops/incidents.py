"""No alert storms: one ongoing problem, one mail, until it changes or ends.

Every alerting check calls ``track(...)`` with a stable key (e.g. ``interface:finance_upload``)
and whether the problem is present now. The ebops table ``alert_incident`` remembers open
incidents across runs, so a 15-minute monitor mails when an incident opens, when it gets worse,
and when it recovers — not every 15 minutes in between.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from ebill_ops.db import Db

Decision = Literal["open", "escalate", "ongoing", "recover", "quiet"]
SEVERITY_RANK = {"ok": 0, "info": 0, "warning": 1, "critical": 2}


@dataclass(frozen=True)
class Outcome:
    decision: Decision
    key: str
    severity: str
    summary: str

    @property
    def should_notify(self) -> bool:
        return self.decision in ("open", "escalate", "recover")


def decide(previous: dict | None, active: bool, severity: str) -> Decision:
    """The pure rule: what a change of state means for the people on call."""
    was_open = previous is not None and previous["state"] == "open"
    if not active:
        return "recover" if was_open else "quiet"
    if not was_open:
        return "open"
    if SEVERITY_RANK.get(severity, 1) > SEVERITY_RANK.get(previous["severity"], 1):
        return "escalate"
    return "ongoing"


def track(
    ops: Db, key: str, *, active: bool, severity: str, summary: str, now: dt.datetime | None = None
) -> Outcome:
    """Record the state of ``key`` in ebops and say whether to notify. Call inside a writable connection."""
    now = (now or dt.datetime.now()).replace(microsecond=0)
    previous = ops.one("incidents/get", {"alert_key": key})
    decision = decide(previous, active, severity)
    params = {"alert_key": key, "severity": severity, "summary": summary[:1000], "now": now}
    if decision == "open":
        ops.execute("incidents/open", params)
    elif decision in ("escalate", "ongoing"):
        params["notified"] = int(decision == "escalate")
        ops.execute("incidents/update", params)
    elif decision == "recover":
        ops.execute("incidents/close", params)
    return Outcome(decision, key, severity, summary)


def open_incidents(ops: Db, prefix: str) -> list[dict]:
    """Open incidents whose key starts with ``prefix`` (e.g. ``failed:ebill_stock_watch:``)."""
    return ops.rows("incidents/list_open", {"prefix": prefix})


def recover_absent(
    ops: Db, prefix: str, present: set[str], *, summary: str, now: dt.datetime | None = None
) -> list[Outcome]:
    """Close the open incidents under ``prefix`` that this check no longer reports at all.

    A problem that disappears from a check's output (a filesystem unmounted, a job dropped) has
    recovered as far as that check can tell; without this its incident would stay open forever.
    """
    outcomes = []
    for row in open_incidents(ops, prefix):
        if row["alert_key"] not in present:
            outcomes.append(
                track(ops, row["alert_key"], active=False, severity="ok", summary=summary, now=now)
            )
    return outcomes
