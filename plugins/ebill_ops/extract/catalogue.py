"""The catalogue of predefined extractions: what each one is, which parameters it takes, and
its columns with the Chinese headers people read (English beside them).

Each extraction's SQL lives in ``include/sql/<dialect>/extract/<id>.sql`` and returns exactly
the catalogue's columns in the catalogue's order (a test holds the two together).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# How a column's value becomes a cell. "label:<name>" columns show a code with its meaning.
Kind = Literal[
    "text",
    "int",
    "amount",
    "datetime",
    "date",
    "masked_id",
    "label:bus_type",
    "label:pay_channel",
    "label:data_type",
    "label:state",
    "label:direction",
    "label:range_status",
    "label:movement",
    "label:red_check",
    "label:yes_no",
]

# Fixed code lists of the platform (domain facts); business types and channels are site settings.
FIXED_LABELS: dict[str, dict[str, str]] = {
    "data_type": {
        "1": "电子票据 e-bill",
        "2": "电子红票 red e-bill",
        "3": "纸质票据 paper",
        "4": "纸质红票 red paper",
        "5": "空白纸质 blank paper",
    },
    "state": {"1": "正常 normal", "2": "作废 voided", "3": "已冲红 reversed"},
    "direction": {"1": "蓝票 blue", "-1": "红票 red"},
    "range_status": {"1": "已分配 allocated", "2": "已下发 handed down", "3": "已退回 returned"},
    "movement": {"handed_down": "下发入库 handed down", "issued": "开具出库 issued"},
    "red_check": {
        "ok": "一致 ok",
        "blue_missing": "原票缺失 blue bill not found",
        "blue_reversed_twice": "期间内多次冲红 blue bill reversed more than once in the period",
        "amount_differs": "金额不符 amounts differ",
        "blue_not_reversed": "原票未标记冲红 blue bill not marked reversed",
    },
    "yes_no": {"0": "否 no", "1": "是 yes", "False": "否 no", "True": "是 yes"},
}

ParamName = Literal["start", "end", "bus_type", "place_code", "pay_channel", "payer_id", "cycle_id"]

# Labels of the parameters on the cover sheet and in error messages.
PARAM_LABELS: dict[str, str] = {
    "start": "开始 Start",
    "end": "结束 End (exclusive)",
    "bus_type": "业务类型 Business type",
    "place_code": "开票点 Issuing point",
    "pay_channel": "支付渠道 Payment channel",
    "payer_id": "交款人证件号 Payer ID",
    "cycle_id": "审验周期 Audit cycle",
}


@dataclass(frozen=True)
class Column:
    key: str  # the SQL column alias
    zh: str
    en: str
    kind: Kind = "text"
    width: int = 14
    total: bool = False  # summed on the cover sheet

    @property
    def header(self) -> str:
        return f"{self.zh} {self.en}"


@dataclass(frozen=True)
class Extraction:
    id: str
    title_zh: str
    title_en: str
    description: str  # Chinese, then English: what the rows are and how they are chosen
    params: tuple[ParamName, ...]  # parameters it accepts (start/end always mean the issue time)
    required: tuple[ParamName, ...]
    columns: tuple[Column, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def query(self) -> str:
        return f"extract/{self.id}"

    @property
    def title(self) -> str:
        return f"{self.title_zh} {self.title_en}"

    @property
    def sheet_name(self) -> str:
        return self.title_zh[:31]


def _c(key: str, zh: str, en: str, kind: Kind = "text", width: int = 14, total: bool = False) -> Column:
    return Column(key, zh, en, kind, width, total)


ISSUE_TIME = _c("ivc_date_time", "开票时间", "Issue time", "datetime", 19)
BILL_CODE = _c("bill_batch_code", "票据代码", "Bill code", width=11)
BILL_NO = _c("bill_no", "票据号码", "Bill number", width=12)
PLACE = _c("place_code", "开票点", "Issuing point", width=9)
PLACE_NAME = _c("place_name", "开票点名称", "Point name", width=24)
PAYER = _c("payer", "交款人", "Payer", width=12)
PAYER_ID = _c("id_card_no", "证件号码(脱敏)", "Payer ID (masked)", "masked_id", 20)
SIGNED = _c("signed_amt", "计入金额", "Signed amount", "amount", 14, total=True)
CHECK_CODE = _c("check_code", "校验码", "Check code", width=9)
DATA_TYPE = _c("data_type", "票据种类", "Bill kind", "label:data_type", 14)
STATE = _c("state", "状态", "State", "label:state", 12)
DIRECTION = _c("direction", "方向", "Direction", "label:direction", 9)
BUS_TYPE = _c("bus_type", "业务类型", "Business type", "label:bus_type", 16)
BUS_NO = _c("bus_no", "业务流水号", "busNo", width=20)
AMOUNT = _c("total_amt", "票据金额", "Amount", "amount")
FUND_PAY = _c("fund_pay", "医保统筹", "Insurance fund", "amount")
SELF_CASH_PAY = _c("self_cash_pay", "个人现金", "Personal cash", "amount")
RELATE_CODE = _c("relate_bill_batch_code", "原票据代码", "Related bill code", width=11)
RELATE_NO = _c("relate_bill_no", "原票据号码", "Related bill number", width=12)
RED_NEGATIVE = "计入金额 = 票据金额 × 方向：红票以负数计入合计。 Signed amount = amount × direction: red bills count negative."
MASKING = "证件号码只显示后4位。 Payer IDs show their last 4 characters only."

CATALOGUE: tuple[Extraction, ...] = (
    Extraction(
        id="bills_by_period",
        title_zh="期间票据明细",
        title_en="Bills of a period",
        description="按开票时间取期间内的票据，可按业务类型、开票点、支付渠道（含该渠道支付的票据）筛选。 "
        "Bills issued in the period, optionally of one business type, issuing point or payment "
        "channel (bills with a payment in that channel).",
        params=("start", "end", "bus_type", "place_code", "pay_channel"),
        required=("start",),
        columns=(
            ISSUE_TIME,
            _c("bus_date_time", "业务时间", "Business time", "datetime", 19),
            BILL_CODE,
            BILL_NO,
            CHECK_CODE,
            DATA_TYPE,
            STATE,
            DIRECTION,
            BUS_TYPE,
            PLACE,
            PLACE_NAME,
            BUS_NO,
            PAYER,
            PAYER_ID,
            AMOUNT,
            SIGNED,
            FUND_PAY,
            _c("account_pay", "个人账户", "Personal account", "amount"),
            _c("otherfund_pay", "其他医保", "Other insurance", "amount"),
            SELF_CASH_PAY,
            _c("pay_channel", "现金支付渠道", "Cash channel", "label:pay_channel", 14),
            _c("payee", "收费员", "Cashier", width=10),
            RELATE_CODE,
            RELATE_NO,
            _c("supervise_time", "监制时间", "Supervised at", "datetime", 19),
            _c("archive_time", "归档时间", "Archived at", "datetime", 19),
            _c("accounted", "已入账", "Accounted", "label:yes_no", 8),
        ),
        notes=(RED_NEGATIVE, MASKING),
    ),
    Extraction(
        id="red_with_blue",
        title_zh="红票及原蓝票",
        title_en="Red bills with their blue bills",
        description="期间内开具的红票（冲红），每张与其原蓝票并列，并核对原票是否存在、期间内是否被多次冲红、金额是否一致、是否已标记冲红。 "
        "Red bills (reversals) issued in the period, each beside its blue bill, checked: the blue "
        "bill exists, no other red bill of the period reverses it, it has the same amount and is "
        "marked reversed.",
        params=("start", "end", "bus_type", "place_code"),
        required=("start",),
        columns=(
            _c("ivc_date_time", "红票开票时间", "Red issue time", "datetime", 19),
            _c("bill_batch_code", "红票代码", "Red bill code", width=11),
            _c("bill_no", "红票号码", "Red bill number", width=12),
            DATA_TYPE,
            BUS_TYPE,
            PLACE,
            PLACE_NAME,
            _c("bus_no", "红票流水号", "Red busNo", width=20),
            PAYER,
            PAYER_ID,
            _c("total_amt", "红票金额", "Red amount", "amount", total=True),
            _c("blue_bill_batch_code", "原票代码", "Blue bill code", width=11),
            _c("blue_bill_no", "原票号码", "Blue bill number", width=12),
            _c("blue_ivc_date_time", "原票开票时间", "Blue issue time", "datetime", 19),
            _c("blue_total_amt", "原票金额", "Blue amount", "amount", total=True),
            _c("blue_state", "原票状态", "Blue state", "label:state", 12),
            _c("blue_bus_no", "原票流水号", "Blue busNo", width=20),
            _c("check_result", "核对结果", "Check", "label:red_check", 22),
        ),
        notes=(
            "金额均为正数存储；红票金额应等于原票金额。 Amounts are stored positive; a red bill's amount equals its blue bill's.",
            "多次冲红只在本期红票之间核对（跨期的由票据质量检查 red_at_most_one 发现）。 A double reversal is "
            "found among the period's red bills; across periods the invoice-quality rule red_at_most_one finds it.",
            MASKING,
        ),
    ),
    Extraction(
        id="payer_bills",
        title_zh="交款人票据",
        title_en="Bills of one payer",
        description="一位交款人（按证件号码）在期间内的全部票据。 All bills of one payer (by ID number) issued in the period.",
        params=("start", "end", "payer_id"),
        required=("start", "payer_id"),
        columns=(
            ISSUE_TIME,
            BILL_CODE,
            BILL_NO,
            CHECK_CODE,
            DATA_TYPE,
            STATE,
            DIRECTION,
            BUS_TYPE,
            PLACE,
            BUS_NO,
            PAYER,
            PAYER_ID,
            _c("patient_no", "门诊号", "Outpatient no.", width=14),
            _c("hospital_no", "住院号", "Inpatient no.", width=14),
            AMOUNT,
            SIGNED,
            FUND_PAY,
            SELF_CASH_PAY,
            RELATE_CODE,
            RELATE_NO,
        ),
        notes=(
            RED_NEGATIVE,
            MASKING,
            "参数中的证件号码在封面和日志中同样脱敏。 The ID asked for is masked on the cover and in logs too.",
        ),
    ),
    Extraction(
        id="stock_movements",
        title_zh="号段出入库",
        title_en="Stock movements per point",
        description="期间内各开票点的号段下发（入库，按号段）与开具使用（出库，按日汇总）。 "
        "Number ranges handed down to each point in the period (in, one row per range) and numbers "
        "used by issuing (out, one row per day, point and bill code).",
        params=("start", "end", "place_code"),
        required=("start",),
        columns=(
            _c("movement_time", "日期时间", "Date / time", "datetime", 19),
            PLACE,
            PLACE_NAME,
            BILL_CODE,
            _c("movement", "类型", "Movement", "label:movement", 16),
            _c("first_no", "起始号码", "First number", width=12),
            _c("last_no", "终止号码", "Last number", width=12),
            _c("quantity", "数量(+入 -出)", "Quantity (+in -out)", "int", 14, total=True),
            _c("range_status", "号段状态", "Range status", "label:range_status", 14),
        ),
        notes=(
            "开具行按日、开票点、票据代码汇总；起止号码为当日使用的最小、最大号码。 "
            "Issued rows are per day, point and bill code; first/last are the lowest and highest numbers used that day.",
        ),
    ),
    Extraction(
        id="audit_summary",
        title_zh="审验期间汇总",
        title_en="Audit-period summary",
        description="审验（核销）期间内按票据代码和开票点汇总的开具、红冲、作废、金额与归档情况。期间取审验周期，或开始/结束日期。 "
        "Per bill code and issuing point: bills issued, red, voided, amounts and archiving over an "
        "audit period (the audit cycle's period, or start/end).",
        params=("start", "end", "cycle_id", "place_code"),
        required=(),
        columns=(
            BILL_CODE,
            PLACE,
            PLACE_NAME,
            _c("issued", "开具张数", "Issued", "int", 10, total=True),
            _c("blue_count", "蓝票张数", "Blue", "int", 10, total=True),
            _c("red_count", "红票张数", "Red", "int", 10, total=True),
            _c("voided", "作废张数", "Voided", "int", 10, total=True),
            _c("reversed", "已冲红张数", "Reversed", "int", 10, total=True),
            _c("paper", "纸质张数", "Paper", "int", 10, total=True),
            _c("blue_amt", "蓝票金额", "Blue amount", "amount", 16, total=True),
            _c("red_amt", "红票金额", "Red amount", "amount", 16, total=True),
            _c("net_amt", "净额", "Net amount", "amount", 16, total=True),
            _c("archived", "已归档", "Archived", "int", 10, total=True),
            _c("not_archived", "未归档", "Not archived", "int", 10, total=True),
            _c("first_no", "起始号码", "First number", width=12),
            _c("last_no", "终止号码", "Last number", width=12),
        ),
        notes=(
            "净额 = 蓝票金额 − 红票金额，作废票不计金额。 Net = blue − red amounts; voided bills carry no amount.",
        ),
    ),
)

BY_ID: dict[str, Extraction] = {e.id: e for e in CATALOGUE}


def get(extraction_id: str) -> Extraction:
    try:
        return BY_ID[extraction_id]
    except KeyError:
        known = ", ".join(BY_ID)
        raise KeyError(f"未知的取数编号 unknown extraction {extraction_id!r} (known: {known})") from None
