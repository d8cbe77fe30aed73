"""One ongoing problem sends one mail until it changes or ends (decision rule and its storage)."""

from __future__ import annotations

import datetime as dt

import pytest

from ebill_ops import db
from ebill_ops.incidents import decide, track


def test_decision_rule():
    assert decide(None, active=False, severity="warning") == "quiet"
    assert decide(None, active=True, severity="warning") == "open"
    opened = {"state": "open", "severity": "warning"}
    assert decide(opened, active=True, severity="warning") == "ongoing"
    assert decide(opened, active=True, severity="critical") == "escalate"
    assert decide({"state": "open", "severity": "critical"}, active=True, severity="warning") == "ongoing"
    assert decide(opened, active=False, severity="ok") == "recover"
    assert decide({"state": "closed", "severity": "warning"}, active=True, severity="warning") == "open"


@pytest.mark.integration
def test_incident_lifecycle_in_ebops(sandbox):
    key = f"test:incident:{dt.datetime.now().timestamp()}"
    t0 = dt.datetime(2026, 11, 30, 10, 0)
    steps = [
        (True, "warning"),
        (True, "warning"),
        (True, "critical"),
        (True, "critical"),
        (False, "ok"),
        (False, "ok"),
        (True, "warning"),
    ]
    decisions = []
    for i, (active, severity) in enumerate(steps):
        with db.connect("ebops_db", read_only=False) as ops:
            outcome = track(
                ops,
                key,
                active=active,
                severity=severity,
                summary=f"step {i}",
                now=t0 + dt.timedelta(minutes=15 * i),
            )
            decisions.append(outcome.decision)
    assert decisions == ["open", "ongoing", "escalate", "ongoing", "recover", "quiet", "open"]
    with db.connect("ebops_db") as ops:
        row = ops.one("incidents/get", {"alert_key": key})
    assert row["state"] == "open" and row["notify_count"] == 4  # open, escalate, recover, re-open
