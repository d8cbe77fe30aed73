"""The invoice-spec rules: one id, severity, source and check per rule, and the site's settings.

Each rule checks one column of ``quality/bill_checks.sql`` (a value the database computed per
bill: a format, a difference, a count of bad item lines), so the same rule table drives the GX
expectation, the SQL that extracts the failing bills and the columns of the fix list. A site
turns a rule off, changes its severity, widens its tolerance or its pattern in the ``quality``
section of the settings file; an unknown rule id there is an error, not a silent no-op.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from pydantic import Field, field_validator, model_validator

from ebill_ops.config import Strict

Severity = Literal["critical", "warning"]
Source = Literal["regulation", "vendor_spec", "local_practice"]
Check = Literal["regex", "not_null", "range", "not_after"]

SOURCE_LABELS = {
    "regulation": "法规 regulation",
    "vendor_spec": "平台规范 vendor spec",
    "local_practice": "本地惯例 local practice",
}
SEVERITY_LABELS = {"critical": "严重 critical", "warning": "警告 warning"}

# Columns of bill_checks.sql shown on the fix list: name -> (Chinese, English) label.
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "bill_batch_code": ("票据代码", "Bill code"),
    "bill_no": ("票据号码", "Bill number"),
    "check_code": ("校验码", "Check code"),
    "payer": ("交款人", "Payer"),
    "bus_date_time": ("业务时间", "Business time"),
    "ivc_date_time": ("开票时间", "Issue time"),
    "issue_lag_seconds": ("开票滞后秒数", "Issue lag (s)"),
    "hospital_no": ("住院号", "Inpatient no."),
    "patient_no": ("门诊号", "Outpatient no."),
    "in_hospital_date": ("入院日期", "Admission"),
    "out_hospital_date": ("出院日期", "Discharge"),
    "total_amt": ("票据金额", "Total"),
    "fund_pay": ("统筹支付", "Fund"),
    "account_pay": ("个人账户", "Personal account"),
    "otherfund_pay": ("其他医保", "Other insurance"),
    "self_cash_pay": ("个人现金", "Personal cash"),
    "split_diff": ("差额", "Difference"),
    "channel_sum": ("交费渠道合计", "Channels total"),
    "channel_diff": ("差额", "Difference"),
    "item_count": ("明细行数", "Item lines"),
    "item_amt_sum": ("明细合计", "Items total"),
    "items_diff": ("差额", "Difference"),
    "item_product_max_diff": ("最大偏差", "Largest deviation"),
    "sort_min": ("最小序号", "Lowest sortNo"),
    "sort_max": ("最大序号", "Highest sortNo"),
    "zero_amount_items": ("零金额行数", "Zero-amount lines"),
    "negative_price_items": ("负单价行数", "Negative-price lines"),
    "items_without_code": ("无编码行数", "Lines without code"),
    "relate_bill_batch_code": ("原票据代码", "Blue bill code"),
    "relate_bill_no": ("原票据号码", "Blue bill number"),
    "blue_count": ("找到原票", "Blue bills found"),
    "blue_amt": ("原票金额", "Blue bill total"),
    "red_blue_amount_diff": ("差额", "Difference"),
    "red_count": ("红票张数", "Red bills"),
    "bus_type": ("业务类型", "busType"),
}


@dataclass(frozen=True)
class RuleSpec:
    """One invoice-spec rule as the catalogue defines it (defaults before site settings)."""

    id: str
    title_zh: str
    title_en: str
    severity: Severity
    source: Source
    column: str  # the bill_checks.sql column the rule checks
    check: Check
    fix_zh: str  # what the vendor should correct
    low: float | None = None  # range: lowest good value (before tolerance)
    high: float | None = None  # range: highest good value (before tolerance)
    pattern: str | None = None  # regex: the full-match pattern
    tolerance: float = 0.0  # default tolerance (widens low/high; seconds for not_after)
    tolerance_unit: str | None = None  # None: the rule takes no tolerance
    detail: tuple[str, ...] = ()  # fix-list columns beyond the identity of the bill

    @property
    def title(self) -> str:
        return f"{self.title_zh} {self.title_en}"


CATALOGUE: tuple[RuleSpec, ...] = (
    RuleSpec(
        "code_format", "票据代码为8位数字", "bill code is 8 digits", "critical", "regulation",
        "code_text", "regex", "更正票据代码 correct the bill code (8 digits: region, class, kind, year)",
        pattern=r"^[0-9]{8}$", detail=("bill_batch_code",),
    ),
    RuleSpec(
        "number_format", "票据号码为10位数字", "bill number is 10 digits", "critical", "regulation",
        "number_text", "regex", "更正票据号码 correct the bill number (10 digits)",
        pattern=r"^[0-9]{10}$", detail=("bill_no",),
    ),
    RuleSpec(
        "check_code_format", "校验码为6位字母或数字", "check code is 6 letters or digits", "critical",
        "vendor_spec", "check_code_text", "regex", "重新生成校验码 regenerate the check code",
        pattern=r"^[0-9A-Za-z]{6}$", detail=("check_code",),
    ),
    RuleSpec(
        "payer_present", "交款人不为空", "payer name present", "warning", "local_practice",
        "payer_name", "not_null", "补录交款人 fill in the payer", detail=("payer",),
    ),
    RuleSpec(
        "issue_after_business", "开票时间不早于业务时间", "issue time not before business time", "warning",
        "local_practice", "issue_lag_seconds", "range", "核对开票与业务时间 check the issue and business times",
        low=0, tolerance_unit="秒 s", detail=("bus_date_time", "ivc_date_time", "issue_lag_seconds"),
    ),
    RuleSpec(
        "issue_not_future", "开票时间不在未来", "issue time not in the future", "critical", "local_practice",
        "ivc_date_time", "not_after", "核对开票服务器时钟 check the issuing server's clock",
        tolerance=300, tolerance_unit="秒 s", detail=("ivc_date_time",),
    ),
    RuleSpec(
        "business_time_plausible", "业务时间距开票不超过规定天数", "business time within max_issue_lag_days of issue",
        "warning", "local_practice", "issue_lag_seconds", "range",
        "核对业务时间（可能录入错误） check the business time (likely mistyped)",
        high=90 * 86_400, tolerance_unit="秒 s", detail=("bus_date_time", "ivc_date_time", "issue_lag_seconds"),
    ),
    RuleSpec(
        "inpatient_fields", "住院票据含住院号及出入院日期", "inpatient bill has inpatient no. and dates",
        "warning", "local_practice", "inpatient_defects", "range",
        "补录住院号、入出院日期（出院不早于入院） fill in inpatient no. and dates (discharge >= admission)",
        low=0, high=0, detail=("hospital_no", "in_hospital_date", "out_hospital_date"),
    ),
    RuleSpec(
        "outpatient_fields", "门诊票据含门诊号", "outpatient bill has outpatient no.", "warning", "local_practice",
        "outpatient_defects", "range", "补录门诊号 fill in the outpatient number",
        low=0, high=0, detail=("bus_type", "patient_no"),
    ),
    RuleSpec(
        "payment_split_balance", "医保结算分项平衡", "payment split balances the total", "warning",
        "local_practice", "split_diff", "range",
        "核对统筹、个人账户、其他医保与现金 check fund, account, other and cash parts",
        low=0, high=0, tolerance_unit="元 yuan",
        detail=("total_amt", "fund_pay", "account_pay", "otherfund_pay", "self_cash_pay", "split_diff"),
    ),
    RuleSpec(
        "channels_sum_total", "交费渠道合计等于票据金额", "payment channels sum to the total", "critical",
        "vendor_spec", "channel_diff", "range", "核对交费渠道金额 check the payment channel amounts",
        low=0, high=0, tolerance_unit="元 yuan", detail=("total_amt", "channel_sum", "channel_diff"),
    ),
    RuleSpec(
        "item_amount_product", "明细金额等于单价乘数量", "item amount = unit price x quantity", "critical",
        "vendor_spec", "item_product_max_diff", "range", "更正明细金额 correct the item amounts",
        high=0, tolerance_unit="元 yuan", detail=("item_count", "item_product_max_diff"),
    ),
    RuleSpec(
        "item_sort_sequence", "明细序号从1连续编号", "item sortNo runs 1..n", "critical", "vendor_spec",
        "sort_sequence_broken", "range", "重排明细序号 renumber the item lines 1..n",
        low=0, high=0, detail=("item_count", "sort_min", "sort_max"),
    ),
    RuleSpec(
        "item_nonzero", "无零金额明细", "no zero-amount item", "critical", "vendor_spec",
        "zero_amount_items", "range", "删除零金额明细 remove zero-amount lines",
        low=0, high=0, detail=("item_count", "zero_amount_items"),
    ),
    RuleSpec(
        "item_unit_price_nonnegative", "明细单价不为负", "no negative unit price", "warning", "vendor_spec",
        "negative_price_items", "range", "负单价改为冲红处理 use a red bill instead of negative prices",
        low=0, high=0, detail=("item_count", "negative_price_items"),
    ),
    RuleSpec(
        "item_charge_code_present", "明细有收费项目编码", "item has a charge code", "warning", "vendor_spec",
        "items_without_code", "range", "补录收费项目编码 fill in the charge codes",
        low=0, high=0, detail=("item_count", "items_without_code"),
    ),
    RuleSpec(
        "items_sum_total", "明细合计等于票据金额", "items sum to the total", "critical", "local_practice",
        "items_diff", "range", "核对明细与票据金额 check items against the total",
        low=0, high=0, tolerance_unit="元 yuan", detail=("total_amt", "item_amt_sum", "items_diff"),
    ),
    RuleSpec(
        "red_has_blue", "红票对应存在的蓝票", "red bill points at an existing blue bill", "critical",
        "vendor_spec", "blue_count", "range", "核对红票关联的原票 check the red bill's original bill",
        low=1, detail=("relate_bill_batch_code", "relate_bill_no"),
    ),
    RuleSpec(
        "red_amount_equals_blue", "红票金额等于蓝票金额", "red bill amount equals its blue bill",
        "critical", "vendor_spec", "red_blue_amount_diff", "range",
        "全额冲红，部分退费另开蓝票 reverse in full; re-issue a blue bill for a partial refund",
        low=0, high=0, tolerance_unit="元 yuan",
        detail=("relate_bill_batch_code", "relate_bill_no", "total_amt", "blue_amt", "red_blue_amount_diff"),
    ),
    RuleSpec(
        "red_at_most_one", "一张蓝票至多一张红票", "a blue bill has at most one red bill", "critical",
        "vendor_spec", "red_count", "range", "作废多余红票 void the surplus red bill", low=0, high=1,
        detail=("red_count",),
    ),
)  # fmt: skip

RULES: dict[str, RuleSpec] = {r.id: r for r in CATALOGUE}

# Identity columns every failing bill carries on the fix list (after the day and rule).
IDENTITY = ("bill_id", "bus_no", "place_code", "bus_type", "bill_batch_code", "bill_no", "bus_date_time")


class RuleSettings(Strict):
    """A site's changes to one rule."""

    enabled: bool = True
    severity: Severity | None = None
    tolerance: float | None = Field(default=None, ge=0)
    pattern: str | None = None

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            if "(?" in value:  # Python-only syntax: PostgreSQL or Oracle would read it otherwise
                raise ValueError(
                    "use a POSIX-style pattern (no (?...) groups): the database evaluates it too"
                )
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression: {exc}") from None
        return value


class QualitySettings(Strict):
    """The ``quality`` section of the settings file."""

    # database: validate in PostgreSQL (GX SQL datasource); pandas: pull per-bill rows in chunks
    # and validate DataFrames (how Oracle is checked); auto: database on PostgreSQL, else pandas.
    engine: Literal["auto", "database", "pandas"] = "auto"
    chunk_rows: int = Field(default=100_000, ge=1_000)  # rows per DataFrame (pandas engine)
    red_lookahead_days: int = Field(default=31, ge=1)  # how long after a day to look for red bills
    settle_minutes: int = Field(default=30, ge=0)  # wait after midnight before checking yesterday
    # A business time further than this from the issue time is implausible; such bills are also
    # checked on their issue day (their business day may be 1900 or 2099).
    max_issue_lag_days: int = Field(default=90, ge=1)
    statement_timeout_seconds: int = Field(default=1800, ge=10)
    work_mem_mb: int = Field(default=64, ge=4)  # PostgreSQL session setting for the checks
    # Local directory of the GX project (Data Docs, validation results). Empty: <artifacts>/quality/gx
    # when artifacts are on the file system, else ~/.ebill-ops/quality-gx (Data Docs are then copied).
    gx_project_dir: str = ""
    fix_list_max_rows_per_rule: int = Field(default=100_000, ge=1, le=1_000_000)
    rules: dict[str, RuleSettings] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known_rules(self) -> QualitySettings:
        unknown = sorted(set(self.rules) - set(RULES))
        if unknown:
            raise ValueError(f"quality.rules: unknown rule id(s) {unknown}; known: {sorted(RULES)}")
        for rule_id, override in self.rules.items():
            spec = RULES[rule_id]
            if override.tolerance is not None and spec.tolerance_unit is None:
                raise ValueError(f"quality.rules.{rule_id}: this rule takes no tolerance")
            if override.pattern is not None and spec.check != "regex":
                raise ValueError(f"quality.rules.{rule_id}: only format rules take a pattern")
        return self


@dataclass(frozen=True)
class Rule:
    """A rule as this site runs it: the catalogue entry with the site's settings applied."""

    spec: RuleSpec
    severity: Severity
    tolerance: float
    pattern: str | None
    low: float | None = None  # lowest good value, tolerance applied (range)
    high: float | None = None  # highest good value, tolerance applied (range)

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def column(self) -> str:
        return self.spec.column

    @property
    def check(self) -> Check:
        return self.spec.check

    def bounds(self, as_of: dt.datetime | None = None) -> tuple[object | None, object | None]:
        """(lowest, highest) good value; ``as_of`` is the check time for ``not_after``."""
        if self.check == "not_after":
            if as_of is None:
                raise ValueError(f"{self.id}: a check time is needed")
            return None, as_of + dt.timedelta(seconds=self.tolerance)
        return self.low, self.high

    def describe(self) -> str:
        """One line for Data Docs and mails: id, titles, severity and source."""
        return (
            f"**{self.id}** · {self.spec.title_zh} {self.spec.title_en} · "
            f"{SEVERITY_LABELS[self.severity]} · {SOURCE_LABELS[self.spec.source]}"
        )


def active_rules(settings: QualitySettings) -> list[Rule]:
    """The enabled rules in catalogue order, with the site's severity, tolerance and pattern."""
    rules = []
    for spec in CATALOGUE:
        override = settings.rules.get(spec.id) or RuleSettings()
        if not override.enabled:
            continue
        tolerance = spec.tolerance if override.tolerance is None else override.tolerance
        low, high = spec.low, spec.high
        if spec.id == "business_time_plausible":  # the same bound that adds such bills to a day
            high = settings.max_issue_lag_days * 86_400.0
        rules.append(
            Rule(
                spec=spec,
                severity=override.severity or spec.severity,
                tolerance=tolerance,
                pattern=override.pattern or spec.pattern,
                low=None if low is None else low - tolerance,
                high=None if high is None else high + tolerance,
            )
        )
    return rules
