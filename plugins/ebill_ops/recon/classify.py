"""The rules of reconciliation as pure functions over rows: no database, no Airflow.

A *group* is everything that shares one busNo: the HIS settlement(s) and the platform's live
bills. Vendors match on busNo first, then on bill code + number (a HIS row without busNo, or with
another busNo, still names the bill it received back). Each rule below yields at most one
difference of its class per group, so a count per class is a count of payments to look at.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from ebill_ops.recon.model import (
    REVERSED,
    BillRow,
    DataError,
    Difference,
    HisRow,
    parse_amount,
    to_cents,
    yuan,
)

Basis = Literal["business", "issue"]


def his_day(row: HisRow) -> dt.date:
    return row.settle_time.date()


def bill_day(row: BillRow, basis: Basis) -> dt.date:
    return (row.ivc_date_time if basis == "issue" else row.bus_date_time).date()


def bill_order(row: BillRow) -> tuple:
    """Issue order within a group: the first bill is the original, later ones are surplus."""
    return (row.bus_date_time, row.ivc_date_time, row.bill_id)


def data_errors(row: HisRow, known_channels: frozenset[str]) -> list[DataError]:
    """What is malformed in one HIS row (empty list: nothing)."""
    found = []
    day = his_day(row)

    def error(kind: str, value: str | None, detail: str) -> DataError:
        return DataError(
            day, kind, row.settle_id, row.bus_no, row.bill_batch_code, row.bill_no, value, detail
        )

    if row.bus_no is None or not row.bus_no.strip():
        found.append(
            error(
                "null_bus_no",
                row.bus_no,
                "业务流水号为空，按票据代码+号码匹配 busNo empty; matched on bill code + number",
            )
        )
    if parse_amount(row.amount_text) is None:
        found.append(
            error(
                "bad_amount_text",
                row.amount_text,
                "金额不是数字，不比对金额 amount is not a number; amount not compared",
            )
        )
    if row.pay_channel is None or row.pay_channel not in known_channels:
        found.append(
            error(
                "unknown_channel",
                row.pay_channel,
                "支付渠道代码未配置 channel code not in recon.known_channels",
            )
        )
    return found


def _key(his: HisRow | None, bill: BillRow | None) -> str:
    """A difference's stable identity across runs: the busNo, else the settlement or the bill."""
    if his is not None and his.bus_no:
        return his.bus_no
    if bill is not None and bill.bus_no:
        return bill.bus_no
    if his is not None:
        return f"settle:{his.settle_id}"
    assert bill is not None
    return f"bill:{bill.bill_batch_code}/{bill.bill_no}"


def _state_text(direction: int, state: int) -> str:
    if direction == -1:
        return "红票 red"
    return "已冲红 reversed" if state == REVERSED else "正常 normal"


def make_difference(
    diff_class: str,
    biz_date: dt.date,
    his: HisRow | None,
    bill: BillRow | None,
    detail: str,
) -> Difference:
    his_cents = parse_amount(his.amount_text) if his is not None else None
    return Difference(
        biz_date=biz_date,
        diff_class=diff_class,
        diff_key=_key(his, bill),
        bus_no=(his.bus_no if his is not None and his.bus_no else bill.bus_no if bill is not None else None),
        bill_batch_code=bill.bill_batch_code if bill is not None else his.bill_batch_code if his else None,
        bill_no=bill.bill_no if bill is not None else his.bill_no if his else None,
        his_bill_batch_code=his.bill_batch_code if his is not None else None,
        his_bill_no=his.bill_no if his is not None else None,
        check_code=bill.check_code if bill is not None else None,
        his_check_code=his.check_code if his is not None else None,
        his_amount=yuan(his_cents),
        platform_amount=yuan(to_cents(bill.total_amt)) if bill is not None else None,
        place_code=bill.place_code if bill is not None else his.place_code if his else None,
        bus_type=bill.bus_type if bill is not None else his.bus_type if his else None,
        bill_id=bill.bill_id if bill is not None else None,
        settle_id=his.settle_id if his is not None else None,
        his_state=his.state * his.direction if his is not None else None,
        platform_state=bill.state * bill.direction if bill is not None else None,
        detail=detail,
    )


def compare_pair(his: HisRow, bill: BillRow, biz_date: dt.date) -> list[Difference]:
    """A settlement and the bill matched to it: amount, bill number, check code, red/normal state."""
    found = []
    his_cents = parse_amount(his.amount_text)
    bill_cents = to_cents(bill.total_amt)
    if his_cents is not None and his_cents != bill_cents:
        found.append(
            make_difference(
                "amount_mismatch",
                biz_date,
                his,
                bill,
                f"HIS {yuan(his_cents)} ≠ 平台 platform {yuan(bill_cents)} (差 diff {yuan(his_cents - bill_cents)})",
            )
        )
    same_bill = (his.bill_batch_code, his.bill_no) == (bill.bill_batch_code, bill.bill_no)
    if not same_bill:
        found.append(
            make_difference(
                "bill_number_mismatch",
                biz_date,
                his,
                bill,
                f"HIS {his.bill_batch_code or '-'}/{his.bill_no or '-'} ≠ "
                f"平台 platform {bill.bill_batch_code}/{bill.bill_no}",
            )
        )
    elif his.check_code != bill.check_code:
        found.append(
            make_difference(
                "check_code_mismatch",
                biz_date,
                his,
                bill,
                f"HIS {his.check_code or '-'} ≠ 平台 platform {bill.check_code or '-'}",
            )
        )
    his_reversed = his.state == REVERSED
    bill_reversed = bill.state == REVERSED
    if his.direction != bill.direction or his_reversed != bill_reversed:
        found.append(
            make_difference(
                "state_mismatch",
                biz_date,
                his,
                bill,
                f"HIS {_state_text(his.direction, his.state)} ≠ 平台 platform {_state_text(bill.direction, bill.state)}",
            )
        )
    return found


def duplicate(his: HisRow | None, bills: Sequence[BillRow], biz_date: dt.date) -> Difference:
    ordered = sorted(bills, key=bill_order)
    listed = ", ".join(f"{b.bill_batch_code}/{b.bill_no} (bill_id {b.bill_id})" for b in ordered)
    return make_difference(
        "duplicate",
        biz_date,
        his,
        ordered[0],
        f"{len(ordered)} 张有效票据 live bills for one busNo: {listed}",
    )


def pick_bill(his: HisRow, bills: Sequence[BillRow]) -> BillRow:
    """The bill HIS knows (same code + number), else the first one issued."""
    for bill in bills:
        if (bill.bill_batch_code, bill.bill_no) == (his.bill_batch_code, his.bill_no):
            return bill
    return min(bills, key=bill_order)


@dataclass
class GroupOutcome:
    differences: list[Difference] = field(default_factory=list)
    data_errors: list[DataError] = field(default_factory=list)
    his_only: list[HisRow] = field(default_factory=list)  # settlements without a bill of this busNo
    bills_only: list[BillRow] = field(default_factory=list)  # bills without a settlement of this busNo


def classify_group(his_rows: Sequence[HisRow], bills: Sequence[BillRow]) -> GroupOutcome:
    """One busNo: pair the settlement with its bill(s) and say what differs.

    Bills without a settlement are *not* reported here: the settlement may be on another day (the
    caller looks), and a duplicate belongs to the settlement's day.
    """
    out = GroupOutcome()
    if not his_rows:
        out.bills_only.extend(bills)
        return out
    ordered = sorted(his_rows, key=lambda h: (h.settle_time, h.settle_id))
    his = ordered[0]
    for extra in ordered[1:]:
        out.data_errors.append(
            DataError(
                his_day(extra),
                "duplicate_bus_no",
                extra.settle_id,
                extra.bus_no,
                extra.bill_batch_code,
                extra.bill_no,
                extra.bus_no,
                f"busNo also used by settlement {his.settle_id}; only that one is reconciled",
            )
        )
    if not bills:
        out.his_only.append(his)
        return out
    day = his_day(his)
    if len(bills) > 1:
        out.differences.append(duplicate(his, bills, day))
    out.differences.extend(compare_pair(his, pick_bill(his, bills), day))
    return out


def pair_by_bill_number(
    his_rows: Iterable[HisRow], bills: Iterable[BillRow]
) -> tuple[list[tuple[HisRow, BillRow]], list[HisRow], list[BillRow]]:
    """Second matching pass: one-sided rows that name the same bill code + number are a pair."""
    by_number: dict[tuple[str, str], BillRow] = {}
    rest_bills: list[BillRow] = []
    for bill in bills:
        if bill.bill_batch_code and bill.bill_no and (bill.bill_batch_code, bill.bill_no) not in by_number:
            by_number[(bill.bill_batch_code, bill.bill_no)] = bill
        else:
            rest_bills.append(bill)
    pairs, rest_his = [], []
    for his in his_rows:
        key = (his.bill_batch_code or "", his.bill_no or "")
        bill = by_number.pop(key, None) if all(key) else None
        if bill is None:
            rest_his.append(his)
        else:
            pairs.append((his, bill))
    rest_bills.extend(by_number.values())
    return pairs, rest_his, rest_bills


def compare_by_number(his: HisRow, bill: BillRow) -> list[Difference]:
    """A pair found on code + number: the usual comparison, plus a busNo that disagrees."""
    day = his_day(his)
    found = compare_pair(his, bill, day)
    if his.bus_no and bill.bus_no and his.bus_no != bill.bus_no:
        found.append(
            make_difference(
                "bus_no_mismatch",
                day,
                his,
                bill,
                f"HIS busNo {his.bus_no} ≠ 平台 platform busNo {bill.bus_no}",
            )
        )
    return found


def missing_in_platform(his: HisRow, note: str = "") -> Difference:
    detail = "HIS已收费，平台无有效票据 paid in HIS, no live bill on the platform"
    return make_difference("missing_in_platform", his_day(his), his, None, detail + note)


def voided_on_platform(his: HisRow, bill: BillRow) -> Difference:
    return make_difference(
        "state_mismatch",
        his_day(his),
        his,
        bill,
        f"HIS {_state_text(his.direction, his.state)} ≠ 平台 platform 已作废 voided (state {bill.state})",
    )


def missing_in_his(bills: Sequence[BillRow], basis: Basis) -> list[Difference]:
    """Bills of one busNo that no settlement explains: each is missing in HIS; several are also a duplicate."""
    ordered = sorted(bills, key=bill_order)
    found = [
        make_difference(
            "missing_in_his",
            bill_day(bill, basis),
            None,
            bill,
            "平台有票，HIS无对应收费记录 bill on the platform, no HIS settlement",
        )
        for bill in ordered[:1]
    ]
    if len(ordered) > 1 and ordered[0].bus_no:
        found.append(duplicate(None, ordered, bill_day(ordered[0], basis)))
    return found
