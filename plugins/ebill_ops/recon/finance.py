"""Bill platform ↔ finance platform (与财政对账): count, amount and archived count per issue day.

Finance holds a bill once it supervised it (监制) and counts it archived once archived (归档).
So the platform's issue-day totals minus finance's should be exactly the bills still in transit
(在途): ``count`` and ``amount`` short by the bills not yet supervised, ``archived`` short by
every bill not yet archived. A day is *explained* when the gap equals its in-transit bills; an
unexplained gap (finance holds a bill the platform does not, or the platform's own status
disagrees with finance) needs a person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from ebill_ops.intervals import as_date
from ebill_ops.recon.model import to_cents, yuan


@dataclass(frozen=True)
class PlatformIssueDay:
    ivc_date: dt.date
    count: int
    amount: Decimal
    supervised: int
    archived: int


@dataclass(frozen=True)
class FinanceDay:
    """What finance answered for one issue date (``checkTotalData``)."""

    ivc_date: dt.date
    count: int
    amount: Decimal
    archived: int


@dataclass(frozen=True)
class TransitBill:
    biz_date: dt.date  # issue date
    bill_id: int
    bus_no: str | None
    bill_batch_code: str | None
    bill_no: str | None
    place_code: str | None
    bus_type: str | None
    ivc_date_time: dt.datetime
    direction: int
    amount: Decimal
    kind: str  # before_supervision | before_archive
    upload_time: dt.datetime | None

    def row(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class FinanceLine:
    biz_date: dt.date
    platform_count: int
    platform_amount: Decimal
    platform_supervised: int
    platform_archived: int
    finance_count: int
    finance_amount: Decimal
    finance_archived: int
    transit_before_supervision: int
    transit_before_archive: int
    transit_amount: Decimal
    count_diff: int
    amount_diff: Decimal
    archived_diff: int
    balanced: bool
    explained: bool
    note: str

    def row(self) -> dict[str, Any]:
        out = asdict(self)
        out["balanced"], out["explained"] = int(self.balanced), int(self.explained)
        return out


def compare_day(
    day: dt.date, platform: PlatformIssueDay | None, finance: FinanceDay, transit: Iterable[TransitBill]
) -> FinanceLine:
    platform = platform or PlatformIssueDay(day, 0, Decimal(0), 0, 0)
    transit = [t for t in transit if t.biz_date == day]
    before_sup = [t for t in transit if t.kind == "before_supervision"]
    before_arc = [t for t in transit if t.kind == "before_archive"]
    transit_cents = sum(t.direction * to_cents(t.amount) for t in before_sup)
    count_diff = platform.count - finance.count
    amount_cents = to_cents(platform.amount) - to_cents(finance.amount)
    archived_diff = platform.count - finance.archived
    balanced = count_diff == 0 and amount_cents == 0 and archived_diff == 0
    notes = []
    if count_diff != len(before_sup):
        notes.append(
            f"笔数差 {count_diff} ≠ 未监制 {len(before_sup)} count gap not explained by unsupervised bills"
        )
    if amount_cents != transit_cents:
        notes.append(
            f"金额差 {yuan(amount_cents)} ≠ 未监制金额 {yuan(transit_cents)} amount gap not explained by transit"
        )
    if archived_diff != len(transit):
        notes.append(
            f"归档差 {archived_diff} ≠ 在途 {len(transit)} archived gap not explained by transit bills"
        )
    if platform.supervised != finance.count:
        notes.append(
            f"平台记录已监制 {platform.supervised} ≠ 财政 {finance.count} the platform's supervision status disagrees"
        )
    if platform.archived != finance.archived:
        notes.append(
            f"平台记录已归档 {platform.archived} ≠ 财政 {finance.archived} the platform's archive status disagrees"
        )
    explained = not notes
    if balanced:
        note = "平衡 balanced"
    elif explained:
        note = f"差额均为在途票据 gap = {len(transit)} in-transit bills (finance sync repairs them)"
    else:
        note = "; ".join(notes)
    return FinanceLine(
        biz_date=day,
        platform_count=platform.count,
        platform_amount=yuan(to_cents(platform.amount)),
        platform_supervised=platform.supervised,
        platform_archived=platform.archived,
        finance_count=finance.count,
        finance_amount=yuan(to_cents(finance.amount)),
        finance_archived=finance.archived,
        transit_before_supervision=len(before_sup),
        transit_before_archive=len(before_arc),
        transit_amount=yuan(transit_cents),
        count_diff=count_diff,
        amount_diff=yuan(amount_cents),
        archived_diff=archived_diff,
        balanced=balanced,
        explained=explained,
        note=note,
    )


def platform_days(rows: Iterable[Mapping[str, Any]]) -> dict[dt.date, PlatformIssueDay]:
    out = {}
    for r in rows:
        day = as_date(r["ivc_date"])
        out[day] = PlatformIssueDay(
            day, int(r["n"]), Decimal(str(r["amount"])), int(r["supervised"]), int(r["archived"])
        )
    return out


def transit_bills(rows: Iterable[Mapping[str, Any]]) -> list[TransitBill]:
    return [
        TransitBill(
            biz_date=r["ivc_date_time"].date(),
            bill_id=int(r["bill_id"]),
            bus_no=r["bus_no"],
            bill_batch_code=r["bill_batch_code"],
            bill_no=r["bill_no"],
            place_code=r["place_code"],
            bus_type=r["bus_type"],
            ivc_date_time=r["ivc_date_time"],
            direction=int(r["direction"]),
            amount=yuan(to_cents(r["total_amt"])),
            kind=str(r["kind"]),
            upload_time=r["upload_time"],
        )
        for r in rows
    ]
