"""The trigger form of ``ebill_data_extraction``: typed params with Chinese and English labels.

Built at parse time from the catalogue and the settings file (both local, no database).
"""

from __future__ import annotations

from typing import Any

from ebill_ops.extract.catalogue import CATALOGUE
from ebill_ops.extract.settings import extract_settings

# A local date or date-time: 2026-11-01, 2026-11-01 08:00, 2026-11-01T08:00:00.
MOMENT_PATTERN = r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?$"


def _which(name: str) -> str:
    users = [e.id for e in CATALOGUE if name in e.params]
    return "用于 used by: " + ", ".join(users)


def trigger_params() -> dict[str, Any]:
    from airflow.sdk import Param

    settings = extract_settings()
    return {
        "extraction": Param(
            CATALOGUE[0].id,
            type="string",
            enum=[e.id for e in CATALOGUE],
            values_display={e.id: f"{e.title_zh} {e.title_en}" for e in CATALOGUE},
            title="取数 Extraction",
            description="预定义的取数 Which predefined extraction (docs/data-extraction.md describes each)",
        ),
        "start": Param(
            None,
            type=["null", "string"],
            pattern=MOMENT_PATTERN,
            title="开始 Start",
            description="开票时间起（含）First day or moment of the issue time, local (YYYY-MM-DD [HH:MM]). "
            + _which("start"),
        ),
        "end": Param(
            None,
            type=["null", "string"],
            pattern=MOMENT_PATTERN,
            title="结束 End (exclusive)",
            description="开票时间止（不含）End, exclusive: 2026-12-01 for a November extraction "
            "(empty: start + 1 day)",
        ),
        "bus_type": Param(
            None,
            type=["null", "string"],
            enum=[None, *settings.bus_types],
            values_display={None: "全部 all", **{k: f"{k} {v}" for k, v in settings.bus_types.items()}},
            title="业务类型 Business type",
            description=_which("bus_type"),
        ),
        "place_code": Param(
            None,
            type=["null", "string"],
            pattern=r"^[A-Za-z0-9_-]{1,20}$",
            title="开票点 Issuing point",
            description="开票点编码 issuing point code (empty: all). " + _which("place_code"),
        ),
        "pay_channel": Param(
            None,
            type=["null", "string"],
            enum=[None, *settings.pay_channels],
            values_display={None: "全部 all", **{k: f"{k} {v}" for k, v in settings.pay_channels.items()}},
            title="支付渠道 Payment channel",
            description="含该渠道支付的票据 bills with a payment in this channel. " + _which("pay_channel"),
        ),
        "payer_id": Param(
            None,
            type=["null", "string"],
            title="交款人证件号 Payer ID",
            description="证件号码（输出中脱敏）ID number; masked in the workbook, logs and mail. "
            + _which("payer_id"),
        ),
        "cycle_id": Param(
            None,
            type=["null", "integer"],
            minimum=1,
            title="审验周期 Audit cycle",
            description="审验周期编号，代替开始/结束 audit cycle id, instead of start/end. "
            + _which("cycle_id"),
        ),
        "max_rows": Param(
            None,
            type=["null", "integer"],
            minimum=1,
            maximum=settings.max_rows,
            title="行数上限 Row cap",
            description=f"最多导出行数 at most this many rows (empty: {settings.max_rows:,}, extract.max_rows)",
        ),
        "requested_by": Param(
            None,
            type=["null", "string"],
            maxLength=200,
            title="申请人/用途 Requested for",
            description="申请人、工单号或用途，写在封面上 who asked and why (ticket), shown on the cover sheet",
        ),
        "send_mail": Param(
            False,
            type="boolean",
            title="发送邮件 Mail it",
            description="把文件链接（小文件附件）发给收件人 mail the link (small files attached)",
        ),
        "mail_to": Param(
            [],
            type="array",
            items={"type": "string"},
            title="收件人 Recipients",
            description="收件人（空：运维组）recipients (empty: common.alerts.to); allowed domains only",
        ),
    }
