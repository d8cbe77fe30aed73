"""The extraction workbook: a cover sheet (who, when, parameters, row count) and one data sheet.

Rows stream from the database cursor into openpyxl's write-only mode, so memory stays flat
however many rows there are. Cells hold numbers, dates or text — never a formula, whatever the
data says (a payer called ``=HYPERLINK(...)`` stays text) — and characters Excel cannot store are
dropped instead of failing the run.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ebill_ops.extract.catalogue import FIXED_LABELS, Column, Extraction
from ebill_ops.extract.request import mask_id

AMOUNT_FORMAT = "#,##0.00"
HEADER_FILL = "DDEBF7"


@dataclass(frozen=True)
class Written:
    rows: int
    truncated: bool  # more rows matched than were written
    totals: dict[str, Decimal | int]  # sums of the catalogue's total columns over the written rows


def label_maps(bus_types: dict[str, str], pay_channels: dict[str, str]) -> dict[str, dict[str, str]]:
    """Code -> text per label kind; site code lists show the code beside its meaning."""
    maps = {name: dict(values) for name, values in FIXED_LABELS.items()}
    maps["bus_type"] = {code: f"{code} {name}" for code, name in bus_types.items()}
    maps["pay_channel"] = {code: f"{code} {name}" for code, name in pay_channels.items()}
    return maps


class ExtractionWorkbook:
    """Build the workbook; ``write`` streams the rows, ``finish`` adds the cover and returns bytes."""

    def __init__(self, extraction: Extraction, labels: dict[str, dict[str, str]]) -> None:
        from openpyxl import Workbook

        self.extraction = extraction
        self._book = Workbook(write_only=True)
        # The cover is created first so that it is the first tab; it is filled at the end,
        # when the row count is known (write-only sheets may be appended to in any order).
        self.cover = self._book.create_sheet("封面 Cover")
        self.data = self._book.create_sheet(extraction.sheet_name)
        self._labels = labels
        self._converters = [self._converter(c) for c in extraction.columns]
        self._layout()

    # -- cells -------------------------------------------------------------------------------
    def _text_cell(self, value: Any) -> Any:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        text = ILLEGAL_CHARACTERS_RE.sub("", str(value))[:32_000]
        if text.startswith("="):
            cell = WriteOnlyCell(self.data, value=text)
            cell.data_type = "s"  # text, not a formula
            return cell
        return text

    def _amount_cell(self, value: Any) -> Any:
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(self.data, value=value)
        cell.number_format = AMOUNT_FORMAT
        return cell

    def _converter(self, column: Column) -> Callable[[Any], Any]:
        kind = column.kind
        if kind == "amount":
            return lambda v: None if v is None else self._amount_cell(v)
        if kind == "int":
            return lambda v: None if v is None else int(v)
        if kind in ("datetime", "date"):
            return lambda v: v
        if kind == "masked_id":
            return lambda v: None if v is None else self._text_cell(mask_id(v))
        if kind.startswith("label:"):
            mapping = self._labels[kind.split(":", 1)[1]]

            def label(v: Any) -> Any:
                if v is None:
                    return None
                key = str(v).strip()
                return mapping.get(key) or self._text_cell(key)

            return label
        return lambda v: None if v is None else self._text_cell(v)

    # -- sheets ------------------------------------------------------------------------------
    def _layout(self) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font, PatternFill
        from openpyxl.utils import get_column_letter

        for index, column in enumerate(self.extraction.columns, start=1):
            self.data.column_dimensions[get_column_letter(index)].width = max(column.width, 8)
        self.cover.column_dimensions["A"].width = 30
        self.cover.column_dimensions["B"].width = 90
        self.data.freeze_panes = "A2"
        header = []
        for column in self.extraction.columns:
            cell = WriteOnlyCell(self.data, value=column.header)
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            header.append(cell)
        self.data.append(header)

    def write(self, batches: Iterable[Sequence[tuple]], cap: int) -> Written:
        """Write rows until ``cap``; ``truncated`` when at least one more row was there."""
        converters = self._converters
        total_at = [
            (i, c.key, _as_decimal if c.kind == "amount" else int)
            for i, c in enumerate(self.extraction.columns)
            if c.total
        ]
        totals: dict[str, Decimal | int] = {
            key: Decimal("0.00") if exact is _as_decimal else 0 for _, key, exact in total_at
        }
        append = self.data.append
        written = 0
        for batch in batches:
            for row in batch:
                if written >= cap:
                    self._finish_data(written)
                    return Written(written, True, totals)
                append([convert(value) for convert, value in zip(converters, row, strict=True)])
                for i, key, exact in total_at:
                    if row[i] is not None:
                        totals[key] += exact(row[i])
                written += 1
        self._finish_data(written)
        return Written(written, False, totals)

    def _finish_data(self, rows: int) -> None:
        from openpyxl.utils import get_column_letter

        last = get_column_letter(len(self.extraction.columns))
        self.data.auto_filter.ref = f"A1:{last}{rows + 1}"

    def finish(self, facts: Sequence[tuple[str, Any]], notes: Sequence[str]) -> bytes:
        """Fill the cover sheet and return the .xlsx file."""
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font

        title = WriteOnlyCell(self.cover, value=self.extraction.title)
        title.font = Font(bold=True, size=14)
        self.cover.append([title])
        self.cover.append([self.extraction.description])
        self.cover.append([])
        for label, value in facts:
            key = WriteOnlyCell(self.cover, value=label)
            key.font = Font(bold=True)
            cell = WriteOnlyCell(self.cover, value=_cover_value(value))
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(cell.value, str):
                cell.data_type = "s"
            self.cover.append([key, cell])
        if notes:
            self.cover.append([])
            heading = WriteOnlyCell(self.cover, value="说明 Notes")
            heading.font = Font(bold=True)
            self.cover.append([heading])
            for note in notes:
                self.cover.append(["", note])
        out = io.BytesIO()
        self._book.save(out)
        return out.getvalue()


def _as_decimal(value: Any) -> Decimal:
    """Money as an exact Decimal: python-oracledb fetches NUMBER(16,2) as float, psycopg as Decimal."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _cover_value(value: Any) -> Any:
    if value is None:
        return "-"
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return value
    return str(value)
