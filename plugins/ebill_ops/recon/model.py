"""Rows as the queries return them, what reconciliation finds, and the labels people read."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

# Classes of difference, in the order reports list them (Chinese first, as users read them).
DIFF_CLASSES: dict[str, str] = {
    "missing_in_platform": "平台缺票 missing in platform (paid in HIS, no bill)",
    "missing_in_his": "HIS缺记录 missing in HIS (bill without a payment)",
    "amount_mismatch": "金额不符 amount mismatch",
    "bill_number_mismatch": "票号不符 bill number mismatch",
    "check_code_mismatch": "校验码不符 check code mismatch",
    "state_mismatch": "状态不符 state mismatch (reversed/red on one side only)",
    "duplicate": "重复开票 duplicate (one busNo, several live bills)",
    "bus_no_mismatch": "流水号不符 busNo mismatch (same bill, other busNo)",
}
DIFF_SHORT: dict[str, str] = {
    "missing_in_platform": "平台缺票",
    "missing_in_his": "HIS缺记录",
    "amount_mismatch": "金额不符",
    "bill_number_mismatch": "票号不符",
    "check_code_mismatch": "校验码不符",
    "state_mismatch": "状态不符",
    "duplicate": "重复开票",
    "bus_no_mismatch": "流水号不符",
}

# Malformed HIS rows: reported, never a crash.
DATA_ERROR_KINDS: dict[str, str] = {
    "null_bus_no": "业务流水号为空 busNo is empty",
    "bad_amount_text": "金额格式错误 amount is not a number",
    "unknown_channel": "未知支付渠道 unknown payment channel",
    "duplicate_bus_no": "HIS流水号重复 busNo used by several settlements",
}

# In-transit bills of the finance comparison (在途).
TRANSIT_KINDS: dict[str, str] = {
    "before_supervision": "未监制 not yet supervised by finance",
    "before_archive": "未归档 supervised, not yet archived",
}

# Dimensions of the totals, in report order.
DIMENSIONS: dict[str, str] = {
    "total": "合计 total",
    "bus_type": "业务类型 business type",
    "pay_channel": "支付渠道 payment channel",
    "voucher_type": "票据类型 voucher type",
    "direction": "收支方向 direction",
    "place_code": "开票点 issuing point",
}
VOUCHER_NAMES = {"1": "电子票据 e-bill", "2": "纸质票据 paper"}
DIRECTION_NAMES = {"1": "收入 income (blue)", "-1": "冲红 refund (red)"}

STATUSES: dict[str, str] = {
    "open": "待处理 open",
    "explained": "已说明 explained",
    "resolved": "已解决 resolved",
}

LIVE_STATES = (1, 3)  # normal, reversed; a voided bill (2) is no longer a bill of the payment
REVERSED = 3
AMOUNT_PATTERN = re.compile(r"^[0-9]{1,13}(\.[0-9]{1,2})?$")  # the SQL files use the same pattern


class HisRow(NamedTuple):
    """One HIS settlement (his.settlement) with the hash bucket of its busNo (None: not bucketed)."""

    bucket: int | None
    settle_id: int
    bus_no: str | None
    bus_type: str | None
    place_code: str | None
    settle_time: dt.datetime
    direction: int
    state: int
    amount_text: str | None
    pay_channel: str | None
    voucher_type: int
    bill_batch_code: str | None
    bill_no: str | None
    check_code: str | None


class BillRow(NamedTuple):
    """One bill of the platform (ebill.bill) with the hash bucket of its busNo."""

    bucket: int | None
    bill_id: int
    bus_no: str | None
    bus_type: str | None
    place_code: str | None
    bus_date_time: dt.datetime
    ivc_date_time: dt.datetime
    data_type: int
    state: int
    direction: int
    total_amt: Any  # Decimal (psycopg) or float/int (python-oracledb)
    pay_channel: str | None
    bill_batch_code: str | None
    bill_no: str | None
    check_code: str | None


def parse_amount(text: str | None) -> int | None:
    """HIS money text → cents; None when it is not a plain positive amount with ≤ 2 decimals."""
    if text is None:
        return None
    stripped = text.strip()
    if not AMOUNT_PATTERN.match(stripped):
        return None
    return int(Decimal(stripped) * 100)


def to_cents(value: Any) -> int:
    """A platform amount (Decimal, float or int, in yuan) → integer cents, exactly."""
    try:
        return int((Decimal(str(value)) * 100).to_integral_value())
    except (InvalidOperation, TypeError) as exc:
        raise ValueError(f"not an amount: {value!r}") from exc


CENT = Decimal("0.01")


def yuan(cents: int | None) -> Decimal | None:
    """Integer cents → yuan with two decimals (100 → Decimal("1.00"))."""
    return None if cents is None else (Decimal(cents) / 100).quantize(CENT)


def voucher_of(data_type: int) -> int:
    """Platform data type → HIS voucher type: 1 e-bill (e-bill, red e-bill), 2 paper (3, 4, 5)."""
    return 2 if data_type in (3, 4, 5) else 1


@dataclass(frozen=True, slots=True)
class Difference:
    """One difference between HIS and the platform; (biz_date, diff_class, diff_key) is its identity."""

    biz_date: dt.date
    diff_class: str
    diff_key: str
    bus_no: str | None
    bill_batch_code: str | None
    bill_no: str | None
    his_bill_batch_code: str | None
    his_bill_no: str | None
    check_code: str | None
    his_check_code: str | None
    his_amount: Decimal | None
    platform_amount: Decimal | None
    place_code: str | None
    bus_type: str | None
    bill_id: int | None
    settle_id: int | None
    his_state: int | None
    platform_state: int | None
    detail: str

    @property
    def identity(self) -> tuple[dt.date, str, str]:
        return (self.biz_date, self.diff_class, self.diff_key)

    def row(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class DataError:
    """A malformed HIS row: reported, matched where it can be, never a crash."""

    biz_date: dt.date
    kind: str
    settle_id: int
    bus_no: str | None
    bill_batch_code: str | None
    bill_no: str | None
    bad_value: str | None
    detail: str

    def row(self) -> dict[str, Any]:
        return asdict(self)
