"""The finance simulator's services over its PostgreSQL state (schema ``finsim``).

Semantics of ``uploadBill`` (what the tests rely on):

- a bill with bad data (code not 8 digits, number not 10 digits, check code not 6 letters/digits,
  time not ``YYYY-MM-DD HH:MM:SS``, amount not a positive number with at most 2 decimals,
  direction not 1/-1) gets ``E2001`` and is never stored;
- a new bill is inserted and supervised at once: ``supervise_time`` = now (naive Asia/Shanghai
  local time, as the platform's database keeps it), ``upload_count`` = 1;
- a bill already held with the same check code, amount and direction is a re-send: answered
  S0000 with its existing supervise time and ``duplicate: true``; it is NOT supervised again,
  but ``upload_count`` and ``duplicate_count`` grow by one. A correct client therefore leaves
  ``upload_count`` = 1 and ``duplicate_count`` = 0 for every bill;
- a bill held with another check code, amount or direction gets ``E2002`` and the held row is
  left as it is;
- every bill of every request is written to ``finsim.upload_event`` with its outcome
  (supervised / duplicate / conflict / invalid).

``archiveBill`` sets ``archive_time`` once and counts every archive receipt in ``archive_count``;
an unknown or unsupervised bill gets ``E3001``. Totals count red bills (direction -1) negative,
by the direction flag, never by the sign of the stored amount.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import psycopg
from psycopg.rows import dict_row

from ebill_ops.finance.protocol import (
    E_BILL_CONFLICT,
    E_BILL_DATA,
    E_NOT_FOUND,
    E_NOT_SUPERVISED,
    E_PARAMS,
    SUCCESS,
)
from sandbox.finance.faults import SHANGHAI

MAX_BILLS = 200
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
CODE_RE = re.compile(r"^\d{8}$")
NUMBER_RE = re.compile(r"^\d{10}$")
CHECK_RE = re.compile(r"^[0-9A-Za-z]{6}$")
MAX_AMOUNT = Decimal("99999999999999.99")  # numeric(16,2)


class ServiceError(Exception):
    """The whole request is answered with ``code`` (nothing it would have written is kept)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code} {message}")
        self.code = code
        self.message = message


@dataclass
class Answer:
    message: str = "success"
    payload: dict[str, Any] = field(default_factory=dict)
    bill_count: int = 0
    events: list[tuple[str | None, str | None, str, str]] = field(default_factory=list)


def now_local() -> datetime:
    """The platform's clock: naive Asia/Shanghai local time, whole seconds."""
    return datetime.now(SHANGHAI).replace(tzinfo=None, microsecond=0)


def fmt_time(value: datetime | None) -> str | None:
    return None if value is None else value.strftime(TIME_FORMAT)


def _short(value: Any, size: int = 40) -> str | None:
    return None if value is None else str(value)[:size]


# --- a small connection pool (psycopg_pool is not a dependency) ------------------------------------
class Pool:
    """Up to ``size`` autocommit async connections, reopened when broken."""

    def __init__(self, dsn: str, size: int = 4) -> None:
        self._dsn = dsn
        self._idle: list[psycopg.AsyncConnection[dict[str, Any]]] = []
        self._slots = asyncio.Semaphore(size)

    async def _open(self) -> psycopg.AsyncConnection[dict[str, Any]]:
        return await psycopg.AsyncConnection.connect(
            self._dsn,
            autocommit=True,
            row_factory=dict_row,
            connect_timeout=5,
            application_name="finance-simulator",
            options="-c TimeZone=Asia/Shanghai",
        )

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[psycopg.AsyncConnection[dict[str, Any]]]:
        async with self._slots:
            conn = self._idle.pop() if self._idle else None
            if conn is None or conn.closed or conn.broken:
                conn = await self._open()
            try:
                yield conn
            finally:
                idle = conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
                if not conn.closed and not conn.broken and idle:
                    self._idle.append(conn)
                else:
                    await conn.close()

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for conn in idle:
            await conn.close()


# --- parameter parsing -----------------------------------------------------------------------------
def bill_list(params: Mapping[str, Any]) -> list[Any]:
    bills = params.get("bills")
    if not isinstance(bills, list) or not bills:
        raise ServiceError(E_PARAMS, "bills must be a non-empty list")
    if len(bills) > MAX_BILLS:
        raise ServiceError(E_PARAMS, f"at most {MAX_BILLS} bills per request, got {len(bills)}")
    return bills


@dataclass(frozen=True)
class UploadItem:
    code: str
    number: str
    check_code: str
    bus_no: str | None
    place_code: str | None
    ivc_date_time: datetime
    total_amt: Decimal
    direction: int


def parse_upload(item: Any) -> UploadItem | str:
    """A valid bill, or the reason it is not one."""
    if not isinstance(item, Mapping):
        return "bill must be an object"
    code, number = item.get("billBatchCode"), item.get("billNo")
    if not isinstance(code, str) or not CODE_RE.match(code):
        return "billBatchCode must be 8 digits"
    if not isinstance(number, str) or not NUMBER_RE.match(number):
        return "billNo must be 10 digits"
    check = item.get("checkCode")
    if not isinstance(check, str) or not CHECK_RE.match(check):
        return "checkCode must be 6 letters or digits"
    try:
        ivc = datetime.strptime(str(item.get("ivcDateTime")), TIME_FORMAT)
    except ValueError:
        return "ivcDateTime must be YYYY-MM-DD HH:MM:SS"
    raw_amt = item.get("totalAmt")
    try:
        amount = Decimal(str(raw_amt)) if isinstance(raw_amt, str | int | float) else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount <= 0 or amount > MAX_AMOUNT:
        return "totalAmt must be a positive amount (red bills use direction -1)"
    if amount != amount.quantize(Decimal("0.01")):
        return "totalAmt has more than 2 decimals"
    direction = item.get("direction")
    if direction not in (1, -1) or isinstance(direction, bool):
        return "direction must be 1 (blue) or -1 (red)"
    bus_no, place = item.get("busNo"), item.get("placeCode")
    if bus_no is not None and (not isinstance(bus_no, str) or len(bus_no) > 64):
        return "busNo must be a string of at most 64 characters"
    if place is not None and (not isinstance(place, str) or len(place) > 20):
        return "placeCode must be a string of at most 20 characters"
    return UploadItem(code, number, check, bus_no, place, ivc, amount, int(direction))


def parse_key(item: Any) -> tuple[str, str] | None:
    if not isinstance(item, Mapping):
        return None
    code, number = item.get("billBatchCode"), item.get("billNo")
    if isinstance(code, str) and isinstance(number, str) and CODE_RE.match(code) and NUMBER_RE.match(number):
        return code, number
    return None


def _key_out(item: Any) -> dict[str, Any]:
    if isinstance(item, Mapping):
        return {"billBatchCode": item.get("billBatchCode"), "billNo": item.get("billNo")}
    return {"billBatchCode": None, "billNo": None}


# --- services --------------------------------------------------------------------------------------
INSERT_BILL = """
INSERT INTO finsim.bill (bill_batch_code, bill_no, check_code, bus_no, place_code, ivc_date, ivc_date_time,
                         total_amt, direction, upload_count, first_upload_time, last_upload_time, supervise_time)
VALUES (%(code)s, %(number)s, %(check)s, %(bus_no)s, %(place)s, %(ivc_date)s, %(ivc)s, %(amt)s, %(direction)s,
        1, %(now)s, %(now)s, %(now)s)
ON CONFLICT (bill_batch_code, bill_no) DO NOTHING
RETURNING supervise_time
"""
LOCK_BILL = """
SELECT check_code, total_amt, direction, supervise_time FROM finsim.bill
WHERE bill_batch_code = %(code)s AND bill_no = %(number)s FOR UPDATE
"""
SUPERVISE_HELD = """
UPDATE finsim.bill SET supervise_time = %(now)s, upload_count = upload_count + 1,
       first_upload_time = coalesce(first_upload_time, %(now)s), last_upload_time = %(now)s
WHERE bill_batch_code = %(code)s AND bill_no = %(number)s
"""
COUNT_DUPLICATE = """
UPDATE finsim.bill SET upload_count = upload_count + 1, duplicate_count = duplicate_count + 1,
       last_upload_time = %(now)s
WHERE bill_batch_code = %(code)s AND bill_no = %(number)s
"""


async def _upload_one(
    conn: psycopg.AsyncConnection[Any], parsed: UploadItem, now: datetime
) -> tuple[dict[str, Any], str]:
    """Supervise one valid bill, or count its re-send, or refuse a conflict: (answer row, outcome)."""
    args = {
        "code": parsed.code,
        "number": parsed.number,
        "check": parsed.check_code,
        "bus_no": parsed.bus_no,
        "place": parsed.place_code,
        "ivc_date": parsed.ivc_date_time.date(),
        "ivc": parsed.ivc_date_time,
        "amt": parsed.total_amt,
        "direction": parsed.direction,
        "now": now,
    }
    key = {"billBatchCode": parsed.code, "billNo": parsed.number}
    supervised = {
        **key,
        "result": SUCCESS,
        "message": "supervised",
        "superviseTime": fmt_time(now),
        "duplicate": False,
    }
    if await (await conn.execute(INSERT_BILL, args)).fetchone() is not None:
        return supervised, "supervised"
    held = await (await conn.execute(LOCK_BILL, args)).fetchone()
    assert held is not None  # the insert conflicted on this key, and bills are never deleted
    sent = (parsed.check_code, parsed.total_amt, parsed.direction)
    if (held["check_code"], held["total_amt"], held["direction"]) != sent:
        return {
            **key,
            "result": E_BILL_CONFLICT,
            "message": "conflicting data: bill held with other data",
        }, "conflict"
    if held["supervise_time"] is None:
        await conn.execute(SUPERVISE_HELD, args)
        return supervised, "supervised"
    await conn.execute(COUNT_DUPLICATE, args)
    again = fmt_time(held["supervise_time"])
    return {
        **key,
        "result": SUCCESS,
        "message": "already supervised",
        "superviseTime": again,
        "duplicate": True,
    }, "duplicate"


async def upload_bill(conn: psycopg.AsyncConnection[Any], params: Mapping[str, Any]) -> Answer:
    """uploadBill; valid bills are processed in key order (no lock-order deadlocks between
    concurrent requests), answers come back in request order."""
    now = now_local()
    items = bill_list(params)
    parsed = [parse_upload(item) for item in items]
    rows: list[dict[str, Any]] = [{} for _ in items]
    answer = Answer(bill_count=len(items))
    counts = dict.fromkeys(("supervised", "duplicate", "conflict", "invalid"), 0)
    # (key, position, bill): positions are unique, so bills themselves are never compared.
    pending = sorted(((p.code, p.number), i, p) for i, p in enumerate(parsed) if isinstance(p, UploadItem))
    for _, i, bill in pending:
        rows[i], outcome = await _upload_one(conn, bill, now)
        answer.events.append((bill.code, bill.number, outcome, rows[i]["result"]))
        counts[outcome] += 1
    for i, reason in enumerate(parsed):
        if isinstance(reason, str):
            key = _key_out(items[i])
            rows[i] = {**key, "result": E_BILL_DATA, "message": f"bad bill data: {reason}"}
            answer.events.append(
                (_short(key["billBatchCode"]), _short(key["billNo"]), "invalid", E_BILL_DATA)
            )
            counts["invalid"] += 1
    refused = counts["conflict"] + counts["invalid"]
    answer.message = (
        f"{counts['supervised']} supervised, {counts['duplicate']} already supervised, {refused} refused"
    )
    answer.payload = {
        "bills": rows,
        "supervisedCount": counts["supervised"],
        "duplicateCount": counts["duplicate"],
        "failedCount": refused,
    }
    return answer


ARCHIVE_BILL = """
UPDATE finsim.bill SET archive_time = coalesce(archive_time, %(now)s), archive_count = archive_count + 1
WHERE bill_batch_code = %(code)s AND bill_no = %(number)s AND supervise_time IS NOT NULL
RETURNING archive_time, supervise_time
"""


async def archive_bill(conn: psycopg.AsyncConnection[Any], params: Mapping[str, Any]) -> Answer:
    """archiveBill; like uploadBill, rows are locked in key order and answered in request order."""
    now = now_local()
    items = bill_list(params)
    keys = [parse_key(item) for item in items]
    found: dict[int, dict[str, Any]] = {}
    for (code, number), i in sorted((k, i) for i, k in enumerate(keys) if k is not None):
        row = await (
            await conn.execute(ARCHIVE_BILL, {"code": code, "number": number, "now": now})
        ).fetchone()
        if row is not None:
            found[i] = row
    rows: list[dict[str, Any]] = []
    for i, item in enumerate(items):
        if i not in found:
            rows.append(
                {**_key_out(item), "result": E_NOT_SUPERVISED, "message": "bill unknown or not supervised"}
            )
            continue
        rows.append(
            {
                **_key_out(item),
                "result": SUCCESS,
                "message": "archived",
                "superviseTime": fmt_time(found[i]["supervise_time"]),
                "archiveTime": fmt_time(found[i]["archive_time"]),
            }
        )
    archived = len(found)
    return Answer(
        message=f"{archived} archived, {len(rows) - archived} refused",
        payload={"bills": rows, "archivedCount": archived, "failedCount": len(rows) - archived},
        bill_count=len(rows),
    )


QUERY_BILLS = """
SELECT bill_batch_code, bill_no, supervise_time, archive_time
FROM finsim.bill
WHERE (bill_batch_code, bill_no) IN (SELECT * FROM unnest(%(codes)s::text[], %(numbers)s::text[]))
"""


async def query_bill_status(conn: psycopg.AsyncConnection[Any], params: Mapping[str, Any]) -> Answer:
    items = bill_list(params)
    keys = [parse_key(item) for item in items]
    valid = [k for k in keys if k is not None]
    cur = await conn.execute(QUERY_BILLS, {"codes": [k[0] for k in valid], "numbers": [k[1] for k in valid]})
    held = {(r["bill_batch_code"], r["bill_no"]): r for r in await cur.fetchall()}
    rows = []
    for item, key in zip(items, keys, strict=True):
        found = held.get(key) if key else None
        if found is None:
            rows.append(
                {**_key_out(item), "result": E_NOT_FOUND, "message": "bill not found", "found": False}
            )
            continue
        rows.append(
            {
                **_key_out(item),
                "result": SUCCESS,
                "message": "found",
                "found": True,
                "supervised": found["supervise_time"] is not None,
                "superviseTime": fmt_time(found["supervise_time"]),
                "archived": found["archive_time"] is not None,
                "archiveTime": fmt_time(found["archive_time"]),
            }
        )
    found_count = sum(1 for r in rows if r["found"])
    return Answer(
        message=f"{found_count} of {len(rows)} found", payload={"bills": rows}, bill_count=len(rows)
    )


TOTALS = """
SELECT count(*) AS count,
       coalesce(sum(abs(total_amt) * direction), 0) AS amount,
       count(*) FILTER (WHERE archive_time IS NOT NULL) AS archived_count,
       count(*) FILTER (WHERE direction = 1) AS blue_count,
       count(*) FILTER (WHERE direction = -1) AS red_count,
       count(*) FILTER (WHERE supervise_time IS NOT NULL) AS supervised_count
FROM finsim.bill WHERE ivc_date = %(day)s
"""


async def check_total_data(conn: psycopg.AsyncConnection[Any], params: Mapping[str, Any]) -> Answer:
    try:
        day = date.fromisoformat(str(params.get("date")))
    except ValueError as exc:
        raise ServiceError(E_PARAMS, "date must be YYYY-MM-DD") from exc
    row = await (await conn.execute(TOTALS, {"day": day})).fetchone()
    assert row is not None
    return Answer(
        payload={
            "date": day.isoformat(),
            "count": row["count"],
            "amount": f"{Decimal(row['amount']):.2f}",
            "archivedCount": row["archived_count"],
            "blueCount": row["blue_count"],
            "redCount": row["red_count"],
            "supervisedCount": row["supervised_count"],
        }
    )


async def ping(conn: psycopg.AsyncConnection[Any], params: Mapping[str, Any]) -> Answer:
    return Answer(message="pong", payload={"serverTime": fmt_time(now_local())})


SERVICES = {
    "uploadBill": upload_bill,
    "archiveBill": archive_bill,
    "queryBillStatus": query_bill_status,
    "checkTotalData": check_total_data,
    "ping": ping,
}

# --- request bookkeeping ---------------------------------------------------------------------------
CLAIM_NOISE = """
INSERT INTO finsim.seen_noise (appid, noise) VALUES (%(appid)s, %(noise)s)
ON CONFLICT DO NOTHING RETURNING noise
"""
LOG_REQUEST = """
INSERT INTO finsim.request_log (service_name, appid, noise, result, message, bill_count, duration_ms)
VALUES (%(service)s, %(appid)s, %(noise)s, %(result)s, %(message)s, %(bill_count)s, %(duration_ms)s)
RETURNING request_id
"""
LOG_EVENTS = """
INSERT INTO finsim.upload_event (request_id, bill_batch_code, bill_no, outcome, result)
VALUES (%s, %s, %s, %s, %s)
"""

# Counters for GET /admin/stats and state.stats(): one round trip, JSON built by PostgreSQL.
STATS_SQL = """
SELECT json_build_object(
  'bills', (SELECT json_build_object(
      'total', count(*),
      'supervised', count(*) FILTER (WHERE supervise_time IS NOT NULL),
      'archived', count(*) FILTER (WHERE archive_time IS NOT NULL),
      'uploads', coalesce(sum(upload_count), 0),
      'duplicate_uploads', coalesce(sum(duplicate_count), 0),
      'bills_with_duplicates', count(*) FILTER (WHERE duplicate_count > 0),
      're_archives', coalesce(sum(greatest(archive_count - 1, 0)), 0))
    FROM finsim.bill),
  'upload_events', (SELECT coalesce(json_object_agg(outcome, n), '{}'::json)
    FROM (SELECT outcome, count(*) AS n FROM finsim.upload_event GROUP BY outcome) e),
  'requests', json_build_object(
    'total', (SELECT count(*) FROM finsim.request_log),
    'by_result', (SELECT coalesce(json_object_agg(result, n), '{}'::json)
      FROM (SELECT result, count(*) AS n FROM finsim.request_log GROUP BY result) r),
    'by_service', (SELECT coalesce(json_object_agg(service_name, n), '{}'::json)
      FROM (SELECT service_name, count(*) AS n FROM finsim.request_log GROUP BY service_name) s))
) AS stats
"""
