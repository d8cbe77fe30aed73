"""Validate one business day, in the database (PostgreSQL) or as DataFrame chunks (Oracle).

Both engines run the same ``quality/bill_checks`` query and the same GX suite; they differ in
where the rows are looked at:

- ``database``: GX validates the query in PostgreSQL (one bundled aggregate query), the failing
  bills come from one more pass that returns only them (``extract``); no bill row is pulled
  into Python except the failing ones, streamed in batches.
- ``pandas``: the per-bill rows are streamed in chunks of ``chunk_rows`` and each chunk is a
  DataFrame validated by GX, which also lists the failing rows. Memory is bounded by the chunk.

Each failing bill is handed to ``sink`` in batches as ``quality/insert_failure`` parameters.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from ebill_ops.db import Db
from ebill_ops.intervals import Window
from ebill_ops.quality import extract
from ebill_ops.quality.gxrun import DataDocs, GxSession
from ebill_ops.quality.outcome import DayResult, RuleOutcome, merge, outcomes_from_gx
from ebill_ops.quality.records import failure_record
from ebill_ops.quality.rules import Rule

Sink = Callable[[list[dict[str, Any]]], None]
BATCH = 5_000


class QualityMismatch(RuntimeError):
    """GX and the failing-bill extraction disagree: the day's data changed between the two passes
    (the day is checked again once) or, if it persists, a bug — never a finding about the bills."""


def strip_comments(sql_text: str) -> str:
    return "\n".join(line for line in sql_text.splitlines() if not line.strip().startswith("--")).strip()


def check_params(window: Window, red_lookahead_days: int, max_issue_lag_days: int) -> dict[str, dt.datetime]:
    """Parameters of quality/bill_checks: the window, how far red bills are looked for, and the
    business times beyond which a bill issued in the window is checked here too."""
    lag = dt.timedelta(days=max_issue_lag_days)
    return {
        **window.params(),
        "red_until": window.end + dt.timedelta(days=red_lookahead_days),
        "orphan_before": window.start - lag,
        "orphan_after": window.end + lag,
    }


def prepare_session(bill: Db, *, work_mem_mb: int, statement_timeout_seconds: int) -> None:
    """Session settings for the checks query (PostgreSQL); read-only stays on."""
    if bill.dialect == "postgresql":
        bill.execute_sql("SET jit = off")  # JIT compiles for ~0.5 s and saves nothing here
        bill.execute_sql(f"SET work_mem = '{int(work_mem_mb)}MB'")
        bill.execute_sql(f"SET statement_timeout = '{int(statement_timeout_seconds)}s'")
        bill.execute_sql("SET cursor_tuple_fraction = 1.0")  # cursors here are always read to the end


def stream_rows(
    bill: Db, text: Any, params: dict[str, Any], batch: int
) -> Iterator[tuple[list[str], list[tuple]]]:
    """(column names, rows) in batches; a server-side cursor on PostgreSQL, arraysize on Oracle."""
    if bill.dialect == "postgresql":
        import uuid

        from psycopg.types.numeric import FloatLoader

        cur = bill.conn.cursor(name=f"ebops_quality_{uuid.uuid4().hex[:10]}")
        cur.adapters.register_loader("numeric", FloatLoader)  # pandas gets floats, not Decimals
        cur.itersize = batch
    else:
        cur = bill.conn.cursor()
        cur.arraysize = batch
        cur.prefetchrows = batch
    try:
        cur.execute(text, params)
        names = [d[0].lower() for d in cur.description]
        first = True
        while True:
            rows = cur.fetchmany(batch)
            if not rows and not first:
                break
            yield names, rows  # the first batch even when empty: a day without bills still has columns
            first = False
            if not rows:
                break
    finally:
        cur.close()


class _FailureWriter:
    """A day's failure records, handed to the sink in batches of ``BATCH`` (both engines)."""

    def __init__(self, sink: Sink, **record_fields: Any) -> None:
        self.sink = sink
        self.fields = record_fields  # check_day, engine, run_id, found_at
        self.batch: list[dict[str, Any]] = []
        self.written = 0

    def add(self, rule: Rule, row: Any) -> None:
        self.batch.append(failure_record(rule, row, **self.fields))
        if len(self.batch) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.batch:
            self.sink(self.batch)
            self.written += len(self.batch)
            self.batch = []


def _frame(names: list[str], rows: list[tuple], rules: Sequence[Rule]) -> Any:
    import pandas as pd

    frame = pd.DataFrame.from_records(rows, columns=names)
    for rule in rules:
        if rule.check == "regex":
            # Oracle stores '' as NULL: an empty code must fail its format, not be skipped.
            frame[rule.column] = frame[rule.column].astype(object).where(frame[rule.column].notna(), "")
    return frame


def check_day_pandas(
    session: GxSession,
    docs: DataDocs,
    bill: Db,
    window: Window,
    *,
    rules: Sequence[Rule],
    red_lookahead_days: int,
    max_issue_lag_days: int,
    chunk_rows: int,
    run_id: str,
    found_at: dt.datetime,
    sink: Sink,
) -> DayResult:
    """Pull the day's per-bill rows in chunks; GX validates each chunk and lists its failures."""
    started = time.perf_counter()
    day = window.start.date()
    by_rule = {r.id: r for r in rules}
    parts: list[dict[str, RuleOutcome]] = []
    result = DayResult(day=day, engine="pandas")
    writer = _FailureWriter(sink, check_day=day, engine="pandas", run_id=run_id, found_at=found_at)
    for index, (names, rows) in enumerate(
        stream_rows(
            bill,
            bill.sql("quality/bill_checks"),
            check_params(window, red_lookahead_days, max_issue_lag_days),
            chunk_rows,
        )
    ):
        frame = _frame(names, rows, rules)
        run_name = day.isoformat() if index == 0 else f"{day.isoformat()}_part{index + 1}"
        validation = session.validate_frame(frame, run_name)
        outcomes = outcomes_from_gx(validation, rules)
        parts.append(outcomes)
        for item in validation.results:
            rule = by_rule.get((item.expectation_config.meta or {}).get("rule"))
            positions = (item.result or {}).get("unexpected_index_list") or []
            if rule is None or not positions:
                continue
            for row in frame.iloc[list(positions)].to_dict("records"):
                writer.add(rule, row)
        writer.flush()
        kept = docs.keep(
            session.suite, validation, session.run_id(run_name), f"pandas-bill_checks-{run_name}"
        )
        result.docs_identifier = result.docs_identifier or kept
        result.bills += len(frame)
        del frame, rows
    result.failures_written = writer.written
    result.outcomes = merge(parts) if parts else _empty(rules)
    result.seconds = round(time.perf_counter() - started, 2)
    return result


def check_day_database(
    session: GxSession,
    docs: DataDocs,
    bill: Db,
    window: Window,
    *,
    rules: Sequence[Rule],
    red_lookahead_days: int,
    max_issue_lag_days: int,
    run_id: str,
    found_at: dt.datetime,
    sink: Sink,
) -> DayResult:
    """GX validates the day in PostgreSQL while the failing bills stream in on our own connection.

    The two passes run at the same time (GX in a worker thread, on its own connection): the
    database does both scans in parallel and the task waits for the slower one.
    """
    from concurrent.futures import ThreadPoolExecutor

    from psycopg import ClientCursor

    started = time.perf_counter()
    day = window.start.date()
    params = check_params(window, red_lookahead_days, max_issue_lag_days)
    checks_sql = strip_comments(bill.sql("quality/bill_checks"))
    literal_sql = ClientCursor(bill.conn).mogrify(checks_sql, params)
    asset = f"bill_checks_{day.isoformat()}_{re.sub(r'[^0-9]', '', run_id)[-12:] or 'run'}"
    result = DayResult(day=day, engine="database")
    counted = {r.id: 0 for r in rules}
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="gx") as pool:
        pending = pool.submit(session.validate_query, literal_sql, asset, day.isoformat())
        query, bound = extract.failing_bills_query(checks_sql, rules, session.as_of, params)
        writer = _FailureWriter(sink, check_day=day, engine="database", run_id=run_id, found_at=found_at)
        for names, rows in stream_rows(bill, query, bound, BATCH):
            flags = [(rule, names.index(extract.FLAG_PREFIX + rule.id)) for rule in rules]
            for raw in rows:
                row = dict(zip(names, raw, strict=True))
                for rule, position in flags:
                    if raw[position]:
                        counted[rule.id] += 1
                        writer.add(rule, row)
        writer.flush()
        result.failures_written = writer.written
        validation = pending.result()
    outcomes = outcomes_from_gx(validation, rules)
    result.outcomes = outcomes
    result.bills = max((o.bills for o in outcomes.values()), default=0)
    differ = {
        rid: (o.failed, counted[rid])
        for rid, o in outcomes.items()
        if o.error is None and o.failed != counted[rid]
    }
    if differ:
        raise QualityMismatch(f"{day}: GX and the extraction disagree (gx, sql) per rule: {differ}")
    result.docs_identifier = docs.keep(
        session.suite, validation, session.run_id(day.isoformat()), f"ebill_db-{asset}"
    )
    result.seconds = round(time.perf_counter() - started, 2)
    return result


def _empty(rules: Sequence[Rule]) -> dict[str, RuleOutcome]:
    return {r.id: RuleOutcome(r.id, r.severity, r.spec.source, 0, 0, 0) for r in rules}
