"""The Excel fix list for the vendor (整改清单): a summary sheet and one sheet per failing rule.

Rows are read from ``ebops.quality_failure`` (so a workbook for any past window can be made
again) and written in openpyxl's write-only mode: memory stays flat however many bills fail.
Every cell that holds bill data is text or a number, never a formula, whatever the data says.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from ebill_ops.quality.records import text
from ebill_ops.quality.rules import FIELD_LABELS, RULES, SEVERITY_LABELS, SOURCE_LABELS

IDENTITY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("check_day", "业务日期 Day"),
    ("bill_id", "票据ID Bill ID"),
    ("bus_no", "业务流水号 busNo"),
    ("place_code", "开票点 Issuing point"),
    ("bus_type", "业务类型 busType"),
    ("bill_batch_code", "票据代码 Bill code"),
    ("bill_no", "票据号码 Bill number"),
    ("bus_date_time", "业务时间 Business time"),
    ("ivc_date_time", "开票时间 Issue time"),
    ("total_amt", "票据金额 Total"),
    ("observed", "实测值 Observed"),
)
TAIL_COLUMNS = (("severity", "级别 Severity"), ("fix", "整改建议 What to fix"))
SUMMARY_HEADERS = (
    "规则 Rule id",
    "规则说明 Rule",
    "级别 Severity",
    "来源 Source",
    "检查票数 Checked",
    "不合格票数 Failed",
    "合格率 Pass rate",
    "工作表 Sheet",
)


def detail_fields(rule_id: str) -> list[str]:
    """A rule's detail columns that the identity columns do not already show."""
    shown = {name for name, _ in IDENTITY_COLUMNS}
    return [name for name in RULES[rule_id].detail if name not in shown]


def _label(name: str) -> str:
    zh, en = FIELD_LABELS.get(name, (name, name))
    return f"{zh} {en}"


def _cell_value(value: Any) -> Any:
    """Numbers stay numbers; everything else becomes bounded text (dates too: Excel has no 1900-)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return text(value)
    return text(value, 32_000)


class Workbook:
    """Build the workbook sheet by sheet; ``finish()`` returns the .xlsx bytes."""

    def __init__(self, title: str, facts: Mapping[str, Any]) -> None:
        from openpyxl import Workbook as OpenpyxlWorkbook

        self._book = OpenpyxlWorkbook(write_only=True)
        self._summary = self._book.create_sheet("概览 Summary")
        self._summary.column_dimensions["A"].width = 28
        self._summary.column_dimensions["B"].width = 48
        self._row(self._summary, [title])
        for key, value in facts.items():
            self._row(self._summary, [key, value])
        self._row(self._summary, [])
        self._row(self._summary, list(SUMMARY_HEADERS))
        self.rows_written: dict[str, int] = {}

    def _row(self, sheet: Any, values: Iterable[Any]) -> None:
        from openpyxl.cell import WriteOnlyCell

        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=_cell_value(value))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # a payer called "=HYPERLINK(...)" stays text
            cells.append(cell)
        sheet.append(cells)

    def summary_line(self, line: Mapping[str, Any], sheet: str | None) -> None:
        rate = line.get("pass_rate")
        self._row(
            self._summary,
            [
                line["rule_id"],
                line["title"],
                SEVERITY_LABELS.get(line["severity"], line["severity"]),
                line["source"],
                line["checked"],
                line["failed"],
                None if rate is None else f"{rate:.4%}",
                sheet or "",
            ],
        )

    def rule_sheet(self, rule_id: str, failures: Iterable[Mapping[str, Any]], *, cap: int, total: int) -> str:
        """One sheet named after the rule; returns the sheet name."""
        spec = RULES[rule_id]
        sheet = self._book.create_sheet(rule_id[:31])
        extra = detail_fields(rule_id)
        for index, width in enumerate((12, 14, 22, 10, 8, 12, 14, 20, 20, 14, 16), start=1):
            sheet.column_dimensions[_column_letter(index)].width = width
        self._row(
            sheet,
            [
                f"{spec.title_zh} {spec.title_en}",
                SEVERITY_LABELS.get(spec.severity),
                SOURCE_LABELS[spec.source],
            ],
        )
        self._row(sheet, [f"整改建议 What to fix: {spec.fix_zh}"])
        self._row(
            sheet,
            [h for _, h in IDENTITY_COLUMNS] + [_label(n) for n in extra] + [h for _, h in TAIL_COLUMNS],
        )
        written = 0
        for failure in failures:
            detail = json.loads(failure.get("detail") or "{}")
            values = [failure.get(name) for name, _ in IDENTITY_COLUMNS]
            values[1] = str(failure["bill_id"])  # ids beyond 15 digits lose precision as numbers
            values += [detail.get(n) for n in extra]
            values += [SEVERITY_LABELS.get(failure.get("severity"), failure.get("severity")), spec.fix_zh]
            self._row(sheet, values)
            written += 1
        if total > written:
            self._row(
                sheet,
                [
                    f"仅列出前 {written} 张，共 {total} 张 Only the first {written} of {total} bills are listed"
                ],
            )
        self.rows_written[rule_id] = written
        return sheet.title

    def finish(self) -> bytes:
        out = io.BytesIO()
        self._book.save(out)
        return out.getvalue()


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)
