"""Bulk loading of generated frames with PostgreSQL COPY (CSV written by Arrow, through STDIN).

Money columns arrive as integer cents and are written as exact decimals. Loading runs in a
background thread so that PostgreSQL ingests one day while Python generates the next.
"""

from __future__ import annotations

import io
import queue
import threading
from collections.abc import Callable

import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv
from psycopg import sql

from sandbox.generator.day import cents_to_decimal

# Target table of each frame kind: (database, qualified table).
TARGETS = {
    "bills": ("bill", "ebill.bill"),
    "items": ("bill", "ebill.bill_item"),
    "payments": ("bill", "ebill.bill_payment"),
    "calls": ("bill", "ebill.interface_call_log"),
    "layout": ("bill", "ebill.layout_file"),
    "codes": ("bill", "ebill.bill_code"),
    "points": ("bill", "ebill.issuing_point"),
    "ranges": ("bill", "ebill.stock_range"),
    "audits": ("bill", "ebill.audit_cycle"),
    "users": ("bill", "ebill.app_user"),
    "settlements": ("his", "his.settlement"),
    "finance": ("finance", "finsim.bill"),
}

TRUNCATE = {
    "bill": "TRUNCATE ebill.bill, ebill.bill_item, ebill.bill_payment, ebill.interface_call_log, ebill.layout_file, "
    "ebill.bill_code, ebill.issuing_point, ebill.stock_range, ebill.audit_cycle, ebill.app_user",
    "his": "TRUNCATE his.settlement",
    "finance": "TRUNCATE finsim.bill, finsim.request_log, finsim.upload_event",
}

# Columns generated as integer cents.
MONEY_COLUMNS = frozenset(
    {
        "total_amt",
        "fund_pay",
        "account_pay",
        "otherfund_pay",
        "own_pay",
        "self_conceited_amt",
        "self_pay_amt",
        "self_cash_pay",
        "std",
        "amt",
        "self_amt",
        "pay_amt",
    }
)


def to_arrow(frame: pd.DataFrame) -> pa.Table:
    columns = {}
    for name in frame.columns:
        series = frame[name]
        if name in MONEY_COLUMNS and pd.api.types.is_integer_dtype(series):
            columns[name] = cents_to_decimal(series.to_numpy())
        else:
            columns[name] = pa.array(series, from_pandas=True)
    return pa.table(columns)


def copy_frame(conn: psycopg.Connection, table: str, frame: pd.DataFrame | None) -> int:
    """COPY a frame into ``table`` (columns by name); returns the row count."""
    if frame is None or frame.empty:
        return 0
    schema, name = table.split(".")
    statement = sql.SQL("COPY {}.{} ({}) FROM STDIN WITH (FORMAT csv)").format(
        sql.Identifier(schema),
        sql.Identifier(name),
        sql.SQL(", ").join(sql.Identifier(c) for c in frame.columns),
    )
    buffer = io.BytesIO()
    pacsv.write_csv(to_arrow(frame), buffer, pacsv.WriteOptions(include_header=False))
    with conn.cursor() as cur, cur.copy(statement) as copy:
        copy.write(buffer.getbuffer())
    return len(frame)


class BackgroundLoader:
    """COPY jobs run in one thread, in order; errors surface on the next submit or on close."""

    def __init__(self, depth: int = 2) -> None:
        self._jobs: queue.Queue[Callable[[], None] | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="copy-loader", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            if self._error is None:
                try:
                    job()
                except BaseException as exc:  # handed to the caller
                    self._error = exc

    def submit(self, job: Callable[[], None]) -> None:
        self._raise()
        self._jobs.put(job)

    def close(self) -> None:
        self._jobs.put(None)
        self._thread.join()
        self._raise()

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error
