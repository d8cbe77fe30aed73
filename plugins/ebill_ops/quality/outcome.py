"""What a validation found, per rule and day, independent of GX's result objects.

GX results are turned into ``RuleOutcome`` rows at once, so the store, the fix list, the mail
and the severity gate never depend on GX's result layout, and chunked validations (the pandas
engine validates a big day in several DataFrames) add up by simple sums.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from ebill_ops.quality.rules import Rule

Status = Literal["passed", "failed", "error", "n/a"]


@dataclass(frozen=True)
class RuleOutcome:
    rule_id: str
    severity: str
    source: str
    bills: int  # rows validated
    checked: int  # rows the rule applies to (non-null measure)
    failed: int
    error: str | None = None

    @property
    def status(self) -> Status:
        if self.error:
            return "error"
        if self.failed:
            return "failed"
        return "passed" if self.checked else "n/a"

    @property
    def pass_rate(self) -> float | None:
        if not self.checked:
            return None
        return round(1 - self.failed / self.checked, 6)

    def __add__(self, other: RuleOutcome) -> RuleOutcome:
        if other.rule_id != self.rule_id:
            raise ValueError(f"cannot add outcomes of {self.rule_id} and {other.rule_id}")
        return replace(
            self,
            bills=self.bills + other.bills,
            checked=self.checked + other.checked,
            failed=self.failed + other.failed,
            error="; ".join(e for e in (self.error, other.error) if e) or None,
        )


def outcomes_from_gx(result: Any, rules: Iterable[Rule]) -> dict[str, RuleOutcome]:
    """Counts per rule from a GX suite validation result (expectation ``meta.rule`` names the rule).

    A rule whose expectation raised inside GX is an error outcome: it is reported as such
    and never hides the other rules.
    """
    by_rule = {r.id: r for r in rules}
    found: dict[str, RuleOutcome] = {}
    for item in result.results:
        rule_id = (item.expectation_config.meta or {}).get("rule")
        rule = by_rule.get(rule_id)
        if rule is None:
            continue
        info = item.exception_info or {}
        raised = bool(info.get("raised_exception")) if isinstance(info, Mapping) else False
        stats = item.result or {}
        bills = int(stats.get("element_count") or 0)
        missing = int(stats.get("missing_count") or 0)
        error = None
        if raised:
            error = str(info.get("exception_message") or "GX raised an exception")[:500]
        found[rule.id] = RuleOutcome(
            rule_id=rule.id,
            severity=rule.severity,
            source=rule.spec.source,
            bills=bills,
            checked=max(bills - missing, 0),
            failed=int(stats.get("unexpected_count") or 0),
            error=error,
        )
    for rule in by_rule.values():
        if rule.id not in found:
            found[rule.id] = RuleOutcome(rule.id, rule.severity, rule.spec.source, 0, 0, 0, "no GX result")
    return found


def merge(parts: Iterable[Mapping[str, RuleOutcome]]) -> dict[str, RuleOutcome]:
    total: dict[str, RuleOutcome] = {}
    for part in parts:
        for rule_id, outcome in part.items():
            total[rule_id] = total[rule_id] + outcome if rule_id in total else outcome
    return total


@dataclass
class DayResult:
    """One checked day: outcomes per rule, where its Data Docs are, how long it took."""

    day: dt.date
    engine: str
    bills: int = 0
    outcomes: dict[str, RuleOutcome] = field(default_factory=dict)
    failures_written: int = 0
    docs_identifier: Any = None  # the GX validation result of the day (the first chunk's)
    docs_url: str | None = None
    seconds: float = 0.0

    @property
    def critical_failed(self) -> list[str]:
        return [
            o.rule_id
            for o in self.outcomes.values()
            if o.severity == "critical" and o.status in ("failed", "error")
        ]

    @property
    def warning_failed(self) -> list[str]:
        return [
            o.rule_id
            for o in self.outcomes.values()
            if o.severity == "warning" and o.status in ("failed", "error")
        ]
