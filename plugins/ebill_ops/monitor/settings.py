"""Settings of the interface monitor (section ``monitor`` of the settings file)."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from ebill_ops.config import Strict


class Thresholds(Strict):
    """Per interface: below this success rate, or above these latencies, it is a breach."""

    min_success_rate: float = Field(0.95, gt=0, le=1)
    mean_ms: float = Field(gt=0)
    p95_ms: float = Field(gt=0)


class DeliverySettings(Strict):
    """Delivery timeliness: issue-to-delivery time of e-bills (data_type 1, blue)."""

    late_after_minutes: int = Field(30, ge=1)
    max_late_share: float = Field(0.10, gt=0, le=1)  # breach above this share of late bills...
    min_late: int = Field(2, ge=1)  # ...when at least this many are late


def _default_interfaces() -> dict[str, Thresholds]:
    return {
        "signature": Thresholds(mean_ms=500, p95_ms=1000),
        "his_issue": Thresholds(mean_ms=1500, p95_ms=3000),
        "finance_upload": Thresholds(mean_ms=2000, p95_ms=5000),
        "delivery": Thresholds(mean_ms=1500, p95_ms=3000),
    }


class MonitorSettings(Strict):
    # Length of one result row; the DAG runs every 15 minutes, a manual run covers many slots.
    slot_minutes: int = Field(15, ge=1, le=60)
    # Failures are judged over the slot and this many slots before it (a sustained window), so a
    # slow trickle of errors from one point is seen, and a single random error is not.
    lookback_slots: int = Field(1, ge=0, le=8)
    # At least this many failed calls in the judged window before the success rate counts.
    min_failures: int = Field(3, ge=1)
    # Latency is judged only on slots with at least this many calls (p95 of 2 calls is noise).
    min_calls_latency: int = Field(5, ge=1)
    # "Errors from one issuing point only", while the other points (at least local_min_other_calls
    # calls) stay above the success rate: that point has local_min_failures failures with
    # local_min_failure_rate of its own calls failing, or local_concentrated_failures failures making
    # local_min_failure_share of all the window's failures. Two random errors of a quiet point in
    # half an hour happen about once a week; three almost never.
    local_min_failures: int = Field(2, ge=1)
    local_min_failure_rate: float = Field(0.3, gt=0, le=1)
    local_concentrated_failures: int = Field(3, ge=1)
    local_min_failure_share: float = Field(0.8, gt=0, le=1)
    local_min_other_calls: int = Field(3, ge=1)
    # Share of failures with a transport error code that makes it "network / remote down".
    connection_share: float = Field(0.8, gt=0, le=1)
    # Result codes that mean the call never got an answer. Codes that do not look like the
    # vendor's (S/E + 4 digits) count as transport errors too.
    connection_error_codes: list[str] = Field(
        default_factory=lambda: [
            "CONN_REFUSED",
            "CONN_RESET",
            "CONN_TIMEOUT",
            "TIMEOUT",
            "READ_TIMEOUT",
            "HTTP502",
            "HTTP503",
            "HTTP504",
        ]
    )
    interfaces: dict[str, Thresholds] = Field(default_factory=_default_interfaces)
    # An interface in the log that the settings do not name.
    default_thresholds: Thresholds = Field(default_factory=lambda: Thresholds(mean_ms=2000, p95_ms=5000))
    delivery: DeliverySettings = Field(default_factory=DeliverySettings)
    # How long after a slot ends its calls are all in the log (the DAG waits this long).
    settle_minutes: int = Field(2, ge=0, le=60)

    @field_validator("interfaces", mode="before")
    @classmethod
    def _keep_default_interfaces(cls, value: Any) -> Any:
        """Naming one interface in the YAML changes that one; the others keep their defaults."""
        if isinstance(value, dict):
            return {**_default_interfaces(), **value}
        return value

    def thresholds(self, interface: str) -> Thresholds:
        return self.interfaces.get(interface, self.default_thresholds)
