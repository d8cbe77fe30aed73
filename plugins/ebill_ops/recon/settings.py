"""The ``recon`` section of the settings file; the defaults suit the sandbox and a typical site."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ebill_ops.config import Strict


class ReconSettings(Strict):
    # Which time puts a payment and its bill on a day: the business (payment) time, or the issue
    # time of the bill (HIS has only its settlement time, which is used on that side either way).
    date_basis: Literal["business", "issue"] = "business"
    # Compare record by record every day ("always"), or only for days whose totals do not balance.
    # Totals cannot see a wrong bill number or check code, so "always" is the safe default; the
    # bucket method keeps it cheap.
    detail: Literal["always", "when_totals_differ"] = "always"
    # Row hashes: "native" (hashtextextended / ORA_HASH: fast, only comparable within one engine),
    # "md5" (the same number on Oracle and PostgreSQL), or "auto" (native when both sides are
    # the same engine).
    hash: Literal["auto", "native", "md5"] = "auto"
    # Bucket count = rows / rows_per_bucket rounded to a power of two, within the bounds.
    rows_per_bucket: int = Field(8, ge=1)
    min_buckets: int = Field(64, ge=1)
    max_buckets: int = Field(1 << 22, ge=1)
    # Refuse the record-by-record pass when the differing buckets hold more rows than this
    # (a broken source view, not a reconciliation problem): the totals still tell the story.
    max_detail_rows: int = Field(3_000_000, ge=1)
    # Payment channels HIS may use; any other code is a data error (sites map their own).
    known_channels: list[str] = Field(
        default_factory=lambda: ["01", "02", "03", "04", "05", "06", "11", "12", "13"]
    )
    # A busNo's bills issued this close to a window edge, on the other side of it, still belong
    # to the settlement's day (a second bill minutes after midnight is a duplicate of that day).
    cross_day_margin_minutes: int = Field(120, ge=0)
    # How far from the window one-sided rows are looked for on the other side (a bill issued
    # days after its payment), and how far business and issue time of one bill may lie apart.
    lookaround_days: int = Field(62, ge=1)
    # Keys per look-up query.
    lookup_batch: int = Field(5000, ge=1)
    # The scheduled run waits this long after midnight for late settlements and bills.
    settle_delay_minutes: int = Field(120, ge=0)
    # Compare the platform's issue-day totals with the finance platform's.
    finance: bool = True
    # Mail when a day does not balance (once, and again when its result changes), always, or never.
    mail_when: Literal["unbalanced", "always", "never"] = "unbalanced"
