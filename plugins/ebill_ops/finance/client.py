"""Synchronous client of the finance platform's gateway (upload for supervision, archive, status, totals).

Why no retry loop here: the caller is an Airflow task, and Airflow already retries with backoff,
records attempts and alerts; a hidden loop would multiply the wait and hide outages. The client
classifies failures instead:

- ``FinanceUnavailable``: the platform could not be reached or answered HTTP 5xx / timed out;
  retry later. After an *upload* fails this way the request may still have been processed:
  query the status before sending again (a correct client sends each bill once).
- ``FinanceError(code, message)``: the platform answered the whole request with an E-code;
  ``retryable`` is true only for E05xx (busy / internal).
- per-bill E-codes are data, returned in ``BillResult.result``, never raised.

The key and the signed bodies are never logged.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

import httpx

from ebill_ops.finance.protocol import (
    E_MALFORMED,
    SUCCESS,
    ProtocolError,
    decode_response,
    encode_request,
    peek_data,
)

log = logging.getLogger(__name__)

DEFAULT_SERVICE_PATH = "/finance/api/medical"
DEFAULT_TIMEOUT = 60.0
MAX_BATCH = 200  # bills per request, the platform's limit
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


class FinanceGatewayError(Exception):
    """Base of the client's errors."""

    retryable: bool = False


class FinanceUnavailable(FinanceGatewayError):
    """Transport failure: refused, timed out, HTTP 5xx. Worth a retry later."""

    retryable = True


class FinanceError(FinanceGatewayError):
    """The platform answered the whole request with an E-code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code} {message}")
        self.code = code
        self.message = message

    @property
    def retryable(self) -> bool:  # type: ignore[override]
        return self.code.startswith("E05")


def is_retryable(exc: BaseException) -> bool:
    """Whether an Airflow task should retry after ``exc`` (else fail fast: AirflowFailException)."""
    return isinstance(exc, FinanceGatewayError) and exc.retryable


class BillKey(NamedTuple):
    """A bill's identity at finance: 票据代码 + 票据号码."""

    bill_batch_code: str
    bill_no: str

    @classmethod
    def coerce(cls, value: BillKey | Sequence[str] | Mapping[str, Any]) -> BillKey:
        if isinstance(value, Mapping):
            code = value.get("billBatchCode", value.get("bill_batch_code"))
            number = value.get("billNo", value.get("bill_no"))
            return cls(str(code), str(number))
        code, number = value
        return cls(str(code), str(number))

    def to_params(self) -> dict[str, str]:
        return {"billBatchCode": self.bill_batch_code, "billNo": self.bill_no}


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _time_text(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime(TIME_FORMAT)
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        return value.to_pydatetime().strftime(TIME_FORMAT)
    return str(value)


def _amount_text(value: Any) -> str:
    if isinstance(value, Decimal):
        return f"{value.quantize(Decimal('0.01'))}"
    if isinstance(value, float | int):
        return f"{Decimal(str(value)).quantize(Decimal('0.01'))}"
    return str(value)


def _parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.strptime(str(value), TIME_FORMAT)
    except ValueError:
        return datetime.fromisoformat(str(value))


@dataclass(frozen=True)
class UploadBill:
    """One bill to upload for supervision; ``from_mapping`` takes vendor or contract (snake) names."""

    bill_batch_code: str
    bill_no: str
    check_code: str | None
    bus_no: str | None
    place_code: str | None
    ivc_date_time: Any  # datetime or "YYYY-MM-DD HH:MM:SS"
    total_amt: Any  # Decimal or "123.45"; positive, red bills carry direction -1
    direction: int = 1

    @property
    def key(self) -> BillKey:
        return BillKey(self.bill_batch_code, self.bill_no)

    @classmethod
    def from_mapping(cls, row: Mapping[str, Any]) -> UploadBill:
        def pick(camel: str, snake: str, default: Any = None) -> Any:
            return row[camel] if camel in row else row.get(snake, default)

        return cls(
            bill_batch_code=str(pick("billBatchCode", "bill_batch_code")),
            bill_no=str(pick("billNo", "bill_no")),
            check_code=_text(pick("checkCode", "check_code")),
            bus_no=_text(pick("busNo", "bus_no")),
            place_code=_text(pick("placeCode", "place_code")),
            ivc_date_time=pick("ivcDateTime", "ivc_date_time"),
            total_amt=pick("totalAmt", "total_amt"),
            direction=int(pick("direction", "direction", 1)),
        )

    def to_params(self) -> dict[str, Any]:
        return {
            "billBatchCode": self.bill_batch_code,
            "billNo": self.bill_no,
            "checkCode": self.check_code,
            "busNo": self.bus_no,
            "placeCode": self.place_code,
            "ivcDateTime": _time_text(self.ivc_date_time),
            "totalAmt": _amount_text(self.total_amt),
            "direction": self.direction,
        }


@dataclass(frozen=True)
class BillResult:
    """Per-bill answer of uploadBill / archiveBill."""

    key: BillKey
    result: str
    message: str
    supervise_time: datetime | None = None
    archive_time: datetime | None = None
    duplicate: bool = False  # upload: the bill was already supervised (no new supervision)

    @property
    def ok(self) -> bool:
        return self.result == SUCCESS


@dataclass(frozen=True)
class BillStatus:
    key: BillKey
    found: bool
    supervised: bool = False
    supervise_time: datetime | None = None
    archived: bool = False
    archive_time: datetime | None = None


@dataclass(frozen=True)
class DailyTotals:
    """What finance holds for one issue date; ``amount`` = blue minus red."""

    date: date
    count: int
    amount: Decimal
    archived_count: int
    blue_count: int
    red_count: int


@dataclass(frozen=True)
class Ping:
    message: str
    server_time: datetime | None
    elapsed_ms: float


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class FinanceGatewayClient:
    """Signed calls to ``<base_url><service_path>/<serviceName>``; one httpx connection pool."""

    def __init__(
        self,
        base_url: str,
        appid: str,
        key: str,
        timeout: float = DEFAULT_TIMEOUT,
        *,
        service_path: str = DEFAULT_SERVICE_PATH,
        verify: bool | str = True,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not appid or not key:
            raise ValueError("the finance gateway needs an appid (login) and a key (password)")
        self.base_url = base_url.rstrip("/")
        self.appid = appid
        self._key = key
        self.timeout = float(timeout)
        self.service_path = "/" + service_path.strip("/")
        self._http = httpx.Client(timeout=self.timeout, verify=verify, transport=transport)

    @classmethod
    def from_connection(cls, conn: Any, *, timeout: float | None = None) -> FinanceGatewayClient:
        """From an Airflow connection: host, port, schema (scheme), login=appid, password=key, extra.

        ``timeout`` overrides the connection's (a reachability check wants a short one).
        """
        extra = dict(getattr(conn, "extra_dejson", None) or {})
        host = conn.host or "127.0.0.1"
        if "://" in host:
            base_url = host
        else:
            scheme = conn.schema or "http"
            base_url = f"{scheme}://{host}" + (f":{conn.port}" if conn.port else "")
        return cls(
            base_url,
            conn.login or "",
            conn.password or "",
            float(timeout if timeout is not None else extra.get("timeout", DEFAULT_TIMEOUT)),
            service_path=str(extra.get("service_path", DEFAULT_SERVICE_PATH)),
            verify=extra.get("verify", True),
        )

    def __repr__(self) -> str:
        return f"FinanceGatewayClient({self.base_url}{self.service_path}, appid={self.appid!r})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> FinanceGatewayClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- one signed call -------------------------------------------------------------------------
    def call(self, service: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """Send one request; the decoded answer data when it is S0000, else raise."""
        url = f"{self.base_url}{self.service_path}/{service}"
        body = encode_request(self.appid, self._key, params)
        started = time.monotonic()
        try:
            response = self._http.post(url, json=body)
        except httpx.TimeoutException as exc:
            log.warning("finance %s: timed out after %.0f s (noise %s)", service, self.timeout, body["noise"])
            raise FinanceUnavailable(f"{service}: timed out after {self.timeout:.0f} s") from exc
        except httpx.TransportError as exc:
            log.warning("finance %s: %s (noise %s)", service, type(exc).__name__, body["noise"])
            raise FinanceUnavailable(f"{service}: {type(exc).__name__}: {exc}") from exc
        elapsed = (time.monotonic() - started) * 1000
        if response.status_code >= 500:
            log.warning("finance %s: HTTP %s in %.0f ms", service, response.status_code, elapsed)
            raise FinanceUnavailable(f"{service}: HTTP {response.status_code}")
        if response.status_code != 200:
            raise FinanceError(f"HTTP{response.status_code}", f"{service}: {response.text[:200]}")
        try:
            answer = response.json()
        except ValueError as exc:
            raise FinanceError(E_MALFORMED, f"{service}: the answer is not JSON") from exc
        try:
            data = decode_response(answer, self._key)
        except ProtocolError as exc:
            # Our request may have been refused for a wrong key: then its answer cannot verify
            # either. Report the platform's code, marked as unverified.
            peeked = peek_data(answer) or {}
            code = peeked.get("result")
            if isinstance(code, str) and code != SUCCESS:
                raise FinanceError(
                    code, f"{peeked.get('message', '')} (answer not verifiable: {exc.message})"
                ) from exc
            raise FinanceError(exc.code, f"{service}: answer rejected: {exc.message}") from exc
        log.info("finance %s: %s in %.0f ms (noise %s)", service, data["result"], elapsed, body["noise"])
        if data["result"] != SUCCESS:
            raise FinanceError(data["result"], str(data.get("message", "")))
        data["_elapsed_ms"] = elapsed
        return data

    # --- services --------------------------------------------------------------------------------
    def upload_bills_iter(
        self, bills: Iterable[UploadBill | Mapping[str, Any]]
    ) -> Iterator[list[BillResult]]:
        """Upload in requests of at most 200 bills, yielding each request's results as it returns.

        Lets a caller record progress per request, so a failure in request k does not lead it to
        re-send the bills of requests 1..k-1.
        """
        items = [b if isinstance(b, UploadBill) else UploadBill.from_mapping(b) for b in bills]
        for chunk in _chunks(items, MAX_BATCH):
            data = self.call("uploadBill", {"bills": [b.to_params() for b in chunk]})
            yield self._bill_results(data, [b.key for b in chunk])

    def upload_bills(self, bills: Iterable[UploadBill | Mapping[str, Any]]) -> list[BillResult]:
        """Upload bills for supervision (uploadBill); per-bill results in input order."""
        results: list[BillResult] = []
        for part in self.upload_bills_iter(bills):
            results.extend(part)
        return results

    def archive_bills(self, keys: Iterable[BillKey | Sequence[str] | Mapping[str, Any]]) -> list[BillResult]:
        """Archive supervised bills (archiveBill); unknown or unsupervised bills get E3001."""
        results: list[BillResult] = []
        for chunk in _chunks([BillKey.coerce(k) for k in keys], MAX_BATCH):
            data = self.call("archiveBill", {"bills": [k.to_params() for k in chunk]})
            results.extend(self._bill_results(data, list(chunk)))
        return results

    def query_status(self, keys: Iterable[BillKey | Sequence[str] | Mapping[str, Any]]) -> list[BillStatus]:
        """Supervision / archive status of bills (queryBillStatus), in input order."""
        statuses: list[BillStatus] = []
        for chunk in _chunks([BillKey.coerce(k) for k in keys], MAX_BATCH):
            data = self.call("queryBillStatus", {"bills": [k.to_params() for k in chunk]})
            rows = self._rows(data, list(chunk))
            for key, row in zip(chunk, rows, strict=True):
                statuses.append(
                    BillStatus(
                        key=key,
                        found=bool(row.get("found")),
                        supervised=bool(row.get("supervised")),
                        supervise_time=_parse_time(row.get("superviseTime")),
                        archived=bool(row.get("archived")),
                        archive_time=_parse_time(row.get("archiveTime")),
                    )
                )
        return statuses

    def daily_totals(self, day: date | str) -> DailyTotals:
        """Count, amount (blue minus red) and archived count of one issue date (checkTotalData)."""
        text = day.isoformat() if isinstance(day, date) else str(day)
        data = self.call("checkTotalData", {"date": text})
        return DailyTotals(
            date=date.fromisoformat(str(data.get("date", text))),
            count=int(data["count"]),
            amount=Decimal(str(data["amount"])),
            archived_count=int(data["archivedCount"]),
            blue_count=int(data["blueCount"]),
            red_count=int(data["redCount"]),
        )

    def ping(self) -> Ping:
        """Reachability and the platform's clock; raises like any call."""
        data = self.call("ping", {})
        return Ping(str(data.get("message", "")), _parse_time(data.get("serverTime")), data["_elapsed_ms"])

    # --- helpers ---------------------------------------------------------------------------------
    @staticmethod
    def _rows(data: Mapping[str, Any], keys: list[BillKey]) -> list[Mapping[str, Any]]:
        rows = data.get("bills")
        if not isinstance(rows, list) or len(rows) != len(keys):
            raise FinanceError(E_MALFORMED, f"expected {len(keys)} per-bill results, got {len(rows or [])}")
        for key, row in zip(keys, rows, strict=True):
            if BillKey.coerce(row) != key:
                raise FinanceError(E_MALFORMED, f"per-bill results out of order at {key}")
        return rows

    def _bill_results(self, data: Mapping[str, Any], keys: list[BillKey]) -> list[BillResult]:
        return [
            BillResult(
                key=key,
                result=str(row.get("result", "")),
                message=str(row.get("message", "")),
                supervise_time=_parse_time(row.get("superviseTime")),
                archive_time=_parse_time(row.get("archiveTime")),
                duplicate=bool(row.get("duplicate", False)),
            )
            for key, row in zip(keys, self._rows(data, keys), strict=True)
        ]
