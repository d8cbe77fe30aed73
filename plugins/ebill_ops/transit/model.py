"""The life of one bill in the re-upload ledger, as pure functions (no database, no network).

States::

    pending ──upload──▶ sending ──answer──▶ supervised ──archive──▶ resolved
       ▲  ▲                │  (no answer: stays sending; after the grace period finance is
       │  └──── lost ◀─────┘   asked: "confirmed" → supervised/resolved, "lost" → pending)
       │
    rejected (per-bill E-code, within the retry budget) ──budget spent──▶ gave_up (a person looks)

The ledger row, not memory, says what to do next; finance's answer to a query decides what
happened to an upload whose answer was lost. Nothing here sends or writes anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

PENDING = "pending"
SENDING = "sending"
SUPERVISED = "supervised"
RESOLVED = "resolved"
REJECTED = "rejected"
GAVE_UP = "gave_up"
OPEN_STATES = (PENDING, SENDING, SUPERVISED, REJECTED)
STATES = (*OPEN_STATES, RESOLVED, GAVE_UP)

BEFORE_SUPERVISION = "before_supervision"
BEFORE_ARCHIVE = "before_archive"

E_NOT_SUPERVISED = "E3001"  # archive: finance does not hold the bill supervised


@dataclass
class Bill:
    """One ledger row as the engine needs it."""

    bill_id: int
    ivc_date_time: dt.datetime
    bill_batch_code: str
    bill_no: str
    check_code: str | None
    bus_no: str | None
    place_code: str | None
    total_amt: Decimal
    direction: int
    state: str
    rejections: int = 0
    checked_at: dt.datetime | None = None
    last_attempt_at: dt.datetime | None = None
    claim_id: str | None = None
    supervise_time: dt.datetime | None = None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Bill:
        return cls(
            bill_id=int(row["bill_id"]),
            ivc_date_time=row["ivc_date_time"],
            bill_batch_code=str(row["bill_batch_code"] or ""),
            bill_no=str(row["bill_no"] or ""),
            check_code=row.get("check_code"),
            bus_no=row.get("bus_no"),
            place_code=row.get("place_code"),
            total_amt=Decimal(str(row["total_amt"])),
            direction=int(row["direction"]),
            state=str(row["state"]),
            rejections=int(row.get("rejections") or 0),
            checked_at=row.get("checked_at"),
            last_attempt_at=row.get("last_attempt_at"),
            claim_id=row.get("claim_id"),
            supervise_time=row.get("supervise_time"),
        )

    @property
    def key(self) -> tuple[str, str]:
        return (self.bill_batch_code, self.bill_no)

    def upload_row(self) -> dict[str, Any]:
        """The bill as the finance client takes it (contract names)."""
        return {
            "bill_batch_code": self.bill_batch_code,
            "bill_no": self.bill_no,
            "check_code": self.check_code,
            "bus_no": self.bus_no,
            "place_code": self.place_code,
            "ivc_date_time": self.ivc_date_time,
            "total_amt": self.total_amt,
            "direction": self.direction,
        }


@dataclass(frozen=True)
class Change:
    """What one answer of finance does to one bill: its next state and the attempt's outcome."""

    bill_id: int
    state: str
    outcome: str
    result_code: str | None = None
    message: str | None = None
    rejected: bool = False
    checked: bool = False
    upload_time: dt.datetime | None = None
    supervise_time: dt.datetime | None = None
    archive_time: dt.datetime | None = None

    @property
    def resolved(self) -> bool:
        return self.state == RESOLVED

    @property
    def finance_times_changed(self) -> bool:
        return any(t is not None for t in (self.upload_time, self.supervise_time, self.archive_time))


def after_query(bill: Bill, status: Any, now: dt.datetime) -> Change:
    """Query before a first upload: finance may already hold the bill (an answer lost earlier)."""
    if status.found and status.archived:
        return Change(
            bill.bill_id,
            RESOLVED,
            "held_archived",
            "S0000",
            "finance already holds it archived 财政已归档",
            checked=True,
            supervise_time=status.supervise_time,
            archive_time=status.archive_time,
        )
    if status.found and status.supervised:
        return Change(
            bill.bill_id,
            SUPERVISED,
            "held_supervised",
            "S0000",
            "finance already holds it supervised 财政已监制",
            checked=True,
            supervise_time=status.supervise_time,
        )
    return Change(
        bill.bill_id, bill.state, "not_held", "E3002", "finance does not hold it 财政无此票", checked=True
    )


def after_inflight_query(bill: Bill, status: Any, now: dt.datetime) -> Change:
    """An upload whose answer was lost: finance's status says whether it arrived."""
    if status.found and status.supervised:
        return Change(
            bill.bill_id,
            RESOLVED if status.archived else SUPERVISED,
            "confirmed",
            "S0000",
            "answer lost; finance holds it supervised 应答丢失，财政已监制",
            checked=True,
            upload_time=bill.last_attempt_at or now,
            supervise_time=status.supervise_time,
            archive_time=status.archive_time if status.archived else None,
        )
    return Change(
        bill.bill_id,
        PENDING,
        "lost",
        "E3002",
        "request never reached finance; will be sent again 未送达，将重新上传",
        checked=True,
    )


def after_upload(bill: Bill, result: Any, now: dt.datetime, budget: int) -> Change:
    """The per-bill answer of uploadBill."""
    if result.ok:
        return Change(
            bill.bill_id,
            SUPERVISED,
            "duplicate" if result.duplicate else "supervised",
            result.result,
            result.message[:400] if result.message else None,
            upload_time=now,
            supervise_time=result.supervise_time or now,
        )
    rejections = bill.rejections + 1
    return Change(
        bill.bill_id,
        GAVE_UP if rejections >= budget else REJECTED,
        "rejected",
        result.result,
        (result.message or "")[:400],
        rejected=True,
    )


def after_archive(bill: Bill, result: Any, now: dt.datetime) -> Change:
    """The per-bill answer of archiveBill."""
    if result.ok:
        return Change(
            bill.bill_id,
            RESOLVED,
            "archived",
            result.result,
            result.message[:400] if result.message else None,
            supervise_time=result.supervise_time,
            archive_time=result.archive_time or now,
        )
    if result.result == E_NOT_SUPERVISED:
        # The platform thought it supervised; finance does not hold it: upload it again.
        return Change(bill.bill_id, PENDING, "not_supervised", result.result, (result.message or "")[:400])
    return Change(bill.bill_id, SUPERVISED, "failed", result.result, (result.message or "")[:400])


@dataclass
class Plan:
    """What one run does with the open bills it holds, in order."""

    resolve_inflight: list[Bill] = field(default_factory=list)  # answer lost, grace over: ask finance
    defer_inflight: list[Bill] = field(default_factory=list)  # answer lost, still within grace
    query_first: list[Bill] = field(default_factory=list)  # never asked: does finance hold it?
    upload: list[Bill] = field(default_factory=list)
    archive: list[Bill] = field(default_factory=list)
    waiting: list[Bill] = field(default_factory=list)  # rejected, next retry not due yet

    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in self.__dataclass_fields__}


def plan(
    bills: Iterable[Bill],
    now: dt.datetime,
    *,
    grace: dt.timedelta,
    retry_interval: dt.timedelta,
    query_before_upload: bool,
    own_window: set[int] | None = None,
) -> Plan:
    """Sort open bills into the steps of a run.

    A rejected bill of the run's own window is retried at once (a re-run or backfill is a person
    asking for it); one carried over from an earlier window waits ``retry_interval``.
    """
    p = Plan()
    own = own_window or set()
    for bill in bills:
        if bill.state == SENDING:
            started = bill.last_attempt_at or now
            (p.resolve_inflight if now - started >= grace else p.defer_inflight).append(bill)
        elif bill.state == SUPERVISED:
            p.archive.append(bill)
        elif bill.state == REJECTED:
            due = (
                bill.bill_id in own
                or bill.last_attempt_at is None
                or now - bill.last_attempt_at >= retry_interval
            )
            (p.upload if due else p.waiting).append(bill)
        elif bill.state == PENDING:
            if query_before_upload and bill.checked_at is None:
                p.query_first.append(bill)
            else:
                p.upload.append(bill)
    return p
