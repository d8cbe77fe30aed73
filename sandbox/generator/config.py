"""Parameters of one generated data set; the same parameters always give the same data."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class AnomalyRates(BaseModel):
    """Share of a day's bills that carry each anomaly. Each rate > 0 injects at least one per day.

    Names are the ground-truth classes of the manifest (see ``anomalies.py``).
    """

    model_config = ConfigDict(extra="forbid")

    # Reconciliation (HIS <-> bill platform)
    missing_in_platform: float = 0.0006
    missing_in_his: float = 0.0006
    amount_mismatch: float = 0.0006
    bill_number_mismatch: float = 0.0003
    check_code_mismatch: float = 0.0003
    state_mismatch: float = 0.0003
    duplicate: float = 0.0003
    # Malformed HIS rows (data errors)
    his_null_bus_no: float = 0.0002
    his_bad_amount_text: float = 0.0002
    his_unknown_channel: float = 0.0002
    # Invoice-spec violations (one rate for every rule; per-rule overrides below)
    spec: float = 0.0003
    spec_overrides: dict[str, float] = Field(default_factory=dict)
    # Bills stuck in transit (在途) without an outage
    stuck_before_supervision: float = 0.0004
    stuck_before_archive: float = 0.0004


class GeneratorConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seed: int = 20261201
    start: dt.date = Field(default_factory=lambda: dt.date.today() - dt.timedelta(days=7))
    days: int = 7
    bills_per_day: int = 3000
    # "Today" for the data: audit deadlines, future-dated bills and stock are relative to it.
    today: dt.date = Field(default_factory=dt.date.today)
    refund_rate: float = 0.015
    paper_rate: float = 0.02
    insured_rate: float = 0.45
    random_failure_rate: float = 0.001  # scattered interface errors that must NOT alert
    rates: AnomalyRates = Field(default_factory=AnomalyRates)
    # Interface incidents: how many days get one of each kind (remote down, degraded, local, delivery).
    interface_incident_days: int = 2
    # A thin history of earlier years so year-end work has old partitions and layout files.
    history_years: int = 3
    history_bills_per_month: int = 40
    # Lean mode: headers and HIS only (no items, payments, call log, layout index): big benchmarks.
    lean: bool = False
    # Write real (small) layout files under the sandbox file server for history bills.
    layout_files: bool = True

    @property
    def end(self) -> dt.date:
        """Last generated day (inclusive)."""
        return self.start + dt.timedelta(days=self.days - 1)

    def days_list(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range(self.days)]

    def history_days(self) -> list[dt.date]:
        """The 15th of every month of the history years before ``start``'s year."""
        if self.history_years <= 0 or self.history_bills_per_month <= 0:
            return []
        first_year = self.start.year - self.history_years
        return [
            dt.date(year, month, 15) for year in range(first_year, self.start.year) for month in range(1, 13)
        ]
