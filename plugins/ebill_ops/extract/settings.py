"""Settings of the data extraction (section ``extract`` of the settings file).

Code lists (business types, payment channels) are site configuration: every site maps its own
codes, so the trigger form's drop-downs and the workbook's labels come from here.
"""

from __future__ import annotations

from pydantic import Field

from ebill_ops.config import Strict

# Excel holds 1,048,576 rows per sheet; one is the header.
EXCEL_MAX_DATA_ROWS = 1_048_575


def _bus_types() -> dict[str, str]:
    return {
        "01": "住院 inpatient",
        "02": "门诊 outpatient",
        "03": "急诊 emergency",
        "04": "门诊特殊病 special outpatient",
        "05": "体检 physical exam",
        "06": "挂号 registration",
        "07": "住院预交金 inpatient prepayment",
        "08": "体检预交金 exam prepayment",
        "09": "其他 other (09)",
        "10": "其他 other (10)",
        "11": "其他 other (11)",
        "12": "门诊预交金 outpatient prepayment",
    }


def _pay_channels() -> dict[str, str]:
    return {
        "01": "POS",
        "02": "现金 cash",
        "03": "转账 transfer",
        "04": "支付宝 Alipay",
        "05": "微信 WeChat",
        "06": "支票 cheque",
        "11": "医保统筹 insurance fund",
        "12": "医保个人账户 personal account",
        "13": "其他医保 other insurance",
    }


class ExtractSettings(Strict):
    # Rows written at most per workbook; a run that finds more says so on the cover sheet.
    max_rows: int = Field(100_000, ge=1, le=EXCEL_MAX_DATA_ROWS)
    # Longest window one extraction may cover (protects the production database from a 10-year scan).
    max_days: int = Field(400, ge=1)
    # Rows fetched per round trip while streaming.
    fetch_batch: int = Field(5_000, ge=100, le=100_000)
    # Mail: recipients must be in these domains (empty: the domains of common.alerts.to), and the
    # workbook is attached only up to this size (a link otherwise).
    allowed_mail_domains: list[str] = Field(default_factory=list)
    attach_max_mb: float = Field(10.0, ge=0)
    bus_types: dict[str, str] = Field(default_factory=_bus_types)
    pay_channels: dict[str, str] = Field(default_factory=_pay_channels)


def extract_settings() -> ExtractSettings:
    from ebill_ops.config import section

    return section("extract", ExtractSettings)
