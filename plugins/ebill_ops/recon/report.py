"""The day's workbook (one sheet per class, Chinese headers beside English names) and the alert mail.

Both are built from what ``ebops`` holds for the day, not from task memory: the report of a day
always shows what a person would find in the tables, including the statuses people set.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from ebill_ops.intervals import as_date
from ebill_ops.recon.model import (
    DATA_ERROR_KINDS,
    DIFF_CLASSES,
    DIFF_SHORT,
    DIMENSIONS,
    DIRECTION_NAMES,
    STATUSES,
    TRANSIT_KINDS,
    VOUCHER_NAMES,
)

# (column, Chinese label) — the header reads "业务流水号 bus_no".
DIFF_COLUMNS = (
    ("diff_key", "差异键"),
    ("bus_no", "业务流水号"),
    ("bill_batch_code", "票据代码"),
    ("bill_no", "票据号码"),
    ("his_bill_batch_code", "HIS票据代码"),
    ("his_bill_no", "HIS票据号码"),
    ("check_code", "校验码"),
    ("his_check_code", "HIS校验码"),
    ("his_amount", "HIS金额"),
    ("platform_amount", "平台金额"),
    ("place_code", "开票点"),
    ("bus_type", "业务类型"),
    ("bill_id", "平台票据ID"),
    ("settle_id", "HIS结算ID"),
    ("his_state", "HIS状态"),
    ("platform_state", "平台状态"),
    ("detail", "说明"),
    ("status", "处理状态"),
    ("status_by", "处理人"),
    ("status_at", "处理时间"),
    ("status_reason", "处理说明"),
    ("first_seen_at", "首次发现"),
)
SUMMARY_COLUMNS = (
    ("dimension", "维度"),
    ("dim_value", "值"),
    ("his_count", "HIS笔数"),
    ("his_amount", "HIS金额"),
    ("his_bad_amounts", "HIS金额错误笔数"),
    ("platform_count", "平台笔数"),
    ("platform_amount", "平台金额"),
    ("diff_count", "笔数差"),
    ("diff_amount", "金额差"),
    ("detail_count", "明细笔数差"),
    ("detail_amount", "明细金额差"),
    ("balanced", "是否平衡"),
    ("explained", "差异已由明细解释"),
)
ERROR_COLUMNS = (
    ("kind", "错误类型"),
    ("settle_id", "HIS结算ID"),
    ("bus_no", "业务流水号"),
    ("bill_batch_code", "票据代码"),
    ("bill_no", "票据号码"),
    ("bad_value", "错误值"),
    ("detail", "说明"),
)
FINANCE_COLUMNS = (
    ("platform_count", "平台开票笔数"),
    ("platform_amount", "平台开票金额"),
    ("platform_supervised", "平台记录已监制"),
    ("platform_archived", "平台记录已归档"),
    ("finance_count", "财政笔数"),
    ("finance_amount", "财政金额"),
    ("finance_archived", "财政归档笔数"),
    ("transit_before_supervision", "在途未监制"),
    ("transit_before_archive", "在途未归档"),
    ("transit_amount", "在途金额"),
    ("count_diff", "笔数差"),
    ("amount_diff", "金额差"),
    ("archived_diff", "归档差"),
    ("balanced", "是否平衡"),
    ("explained", "差异已由在途解释"),
    ("note", "说明"),
)
TRANSIT_COLUMNS = (
    ("kind", "在途类型"),
    ("bill_id", "平台票据ID"),
    ("bus_no", "业务流水号"),
    ("bill_batch_code", "票据代码"),
    ("bill_no", "票据号码"),
    ("place_code", "开票点"),
    ("bus_type", "业务类型"),
    ("ivc_date_time", "开票时间"),
    ("direction", "方向"),
    ("amount", "金额"),
    ("upload_time", "上传时间"),
)
VALUE_NAMES = {"voucher_type": VOUCHER_NAMES, "direction": DIRECTION_NAMES}  # codes people cannot read
YES_NO = {1: "是 yes", 0: "否 no", None: "-"}  # True == 1, False == 0


def header(columns: Sequence[tuple[str, str]]) -> list[str]:
    return [f"{zh} {en}" for en, zh in columns]


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return value


def _sheet(wb: Any, title: str, columns: Sequence[tuple[str, str]], rows: Iterable[Mapping[str, Any]]) -> Any:
    from openpyxl.styles import Font, PatternFill

    ws = wb.create_sheet(title[:31])
    ws.append(header(columns))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for row in rows:
        values = []
        for name, _ in columns:
            value = row.get(name)
            if name in ("balanced", "explained"):
                value = YES_NO.get(value, value)
            elif name == "status":
                value = STATUSES.get(value, value)
            elif name == "kind":
                value = DATA_ERROR_KINDS.get(value) or TRANSIT_KINDS.get(value, value)
            values.append(_cell(value))
        ws.append(values)
    ws.freeze_panes = "A2"
    for i, (name, zh) in enumerate(columns, start=1):
        width = (
            48 if name in ("detail", "note", "status_reason") else max(12, len(zh) * 2 + len(name) // 2 + 2)
        )
        ws.column_dimensions[ws.cell(1, i).column_letter].width = width
    return ws


def build_workbook(
    day: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]],
    differences: Sequence[Mapping[str, Any]],
    errors: Sequence[Mapping[str, Any]],
    finance: Mapping[str, Any] | None,
    transit: Sequence[Mapping[str, Any]],
    *,
    site: str,
    finance_state: str,
) -> bytes:
    """The day's workbook as bytes: summary by dimension, finance, one sheet per class, data errors."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "汇总 Summary"
    biz_date = as_date(day["biz_date"])
    ws.append([f"{site} 对账报告 Reconciliation report {biz_date}"])
    ws["A1"].font = Font(bold=True, size=14)
    basis = "业务时间 business time" if day["date_basis"] == "business" else "开票时间 issue time"
    counts = Counter(d["diff_class"] for d in differences)
    facts = [
        ("对账日期 Business day", str(biz_date)),
        ("日期口径 Date basis", basis),
        ("是否平衡 Balanced", YES_NO.get(day["balanced"])),
        ("明细解释总差 Differences explain the totals", YES_NO.get(day["explained"])),
        ("明细对账 Detail", f"{day['detail_status']} {day.get('detail_note') or ''}".strip()),
        ("差异条数 Differences", day["differences"]),
        ("数据错误 Data errors", day["data_errors"]),
        ("财政对账 Finance", finance_state),
        ("生成时间 Computed at", _cell(day["computed_at"])),
    ]
    for label, value in facts:
        ws.append([label, value])
    ws.append([])
    ws.append(["差异类型 Class", "条数 Count", "待处理 Open"])
    for cls, label in DIFF_CLASSES.items():
        open_count = sum(1 for d in differences if d["diff_class"] == cls and d["status"] == "open")
        ws.append([label, counts.get(cls, 0), open_count])
    ws.append([])
    start = ws.max_row + 1
    ws.append(["维度 Dimension", *header(SUMMARY_COLUMNS)[1:]])
    for cell in ws[start]:
        cell.font = Font(bold=True)
    for line in sorted(lines, key=lambda r: (list(DIMENSIONS).index(r["dimension"]), r["dim_value"])):
        row = [DIMENSIONS.get(line["dimension"], line["dimension"])]
        for name, _ in SUMMARY_COLUMNS[1:]:
            value = line.get(name)
            if name == "dim_value":
                value = VALUE_NAMES.get(line["dimension"], {}).get(value, value)
            row.append(YES_NO.get(value, value) if name in ("balanced", "explained") else _cell(value))
        ws.append(row)
    ws.column_dimensions["A"].width = 34
    for col in "BCDEFGHIJKLMN":
        ws.column_dimensions[col].width = 16
    _sheet(wb, "财政 Finance", FINANCE_COLUMNS, [finance] if finance else [])
    for cls in DIFF_CLASSES:
        _sheet(
            wb, f"{DIFF_SHORT[cls]} {cls}", DIFF_COLUMNS, [d for d in differences if d["diff_class"] == cls]
        )
    _sheet(wb, "数据错误 Data errors", ERROR_COLUMNS, errors)
    _sheet(wb, "在途 Transit", TRANSIT_COLUMNS, transit)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def day_severity(day: Mapping[str, Any], finance_state: str) -> str:
    """ok: nothing to do; warning: differences for people to work; critical: the numbers do not add up."""
    if day["explained"] == 0 or day["detail_status"] == "too_many" or finance_state.startswith("unexplained"):
        return "critical"
    if not day["balanced"] or day["data_errors"] or finance_state.startswith(("missing", "stale")):
        return "warning"
    return "ok"


def finance_state_of(finance: Mapping[str, Any] | None, run_id: str | None, enabled: bool) -> str:
    if not enabled:
        return "disabled 未启用"
    if finance is None:
        return "missing 未对账 (finance comparison did not run)"
    stale = run_id is not None and finance.get("run_id") != run_id
    if finance["balanced"]:
        state = "balanced 平衡"
    elif finance["explained"]:
        state = f"explained 差额为在途票据 ({finance['archived_diff']} in transit)"
    else:
        state = f"unexplained 差额不明: {finance['note']}"
    return f"stale 本次未更新, last: {state}" if stale else state


def incident_summary(day: Mapping[str, Any], classes: Mapping[str, int], finance_state: str) -> str:
    listed = ", ".join(f"{k} {v}" for k, v in sorted(classes.items())) or "none"
    return (
        f"{day['differences']} differences ({listed}); {day['data_errors']} data errors; "
        f"explained {YES_NO.get(day['explained'])}; finance {finance_state}"
    )


def render_mail(context: Mapping[str, Any]) -> str:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from ebill_ops.paths import templates_dir

    env = Environment(
        loader=FileSystemLoader(str(templates_dir())), autoescape=select_autoescape(["html", "j2"])
    )
    return env.get_template("recon_mail.html.j2").render(
        **context, classes=DIFF_CLASSES, short=DIFF_SHORT, kinds=DATA_ERROR_KINDS
    )
