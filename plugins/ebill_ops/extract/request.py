"""The trigger form's values checked and made into one request; every problem in one clear message.

Pure: no database. What only the database can tell (does the issuing point exist, which period
does an audit cycle cover) is checked by ``run.resolve`` before any row is read.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from ebill_ops.extract.catalogue import BY_ID, PARAM_LABELS, Extraction
from ebill_ops.extract.settings import ExtractSettings
from ebill_ops.intervals import Window, as_date, as_naive_datetime

FILTERS = ("bus_type", "place_code", "pay_channel", "payer_id", "cycle_id")
PLACE_CODE = re.compile(r"^[A-Za-z0-9_-]{1,20}$")
PAYER_ID = re.compile(r"^[0-9A-Za-z]{4,32}$")
EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@([A-Za-z0-9-]+\.)+[A-Za-z]{2,}$")


class BadRequest(ValueError):
    """Parameters a person must correct; the message lists every problem, Chinese and English."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("参数错误 Bad parameters: " + "; ".join(problems))


def mask_id(value: Any) -> str | None:
    """All but the last 4 characters as ``*`` (an ID of 4 characters or fewer is fully masked)."""
    if value is None:
        return None
    text = str(value).strip()
    if len(text) <= 4:
        return "*" * len(text)
    return "*" * (len(text) - 4) + text[-4:]


@dataclass(frozen=True)
class Request:
    extraction: Extraction
    window: Window | None  # issue-time window; None until an audit cycle is resolved
    filters: dict[str, Any]  # bus_type, place_code, pay_channel, payer_id, cycle_id (None when unset)
    max_rows: int
    send_mail: bool = False
    mail_to: tuple[str, ...] = ()
    requested_by: str | None = None

    def with_window(self, window: Window) -> Request:
        return replace(self, window=window)

    def query_params(self) -> dict[str, Any]:
        if self.window is None:
            raise ValueError("the request has no window yet (resolve the audit cycle first)")
        return {**self.window.params(), **self.filters}

    def shown_params(self) -> dict[str, Any]:
        """The parameters as the cover sheet, the log and XCom show them (payer ID masked)."""
        shown: dict[str, Any] = {}
        if self.window is not None:
            shown["start"] = self.window.start.isoformat(sep=" ", timespec="minutes")
            shown["end"] = self.window.end.isoformat(sep=" ", timespec="minutes")
        for name in FILTERS:
            value = self.filters.get(name)
            if value is not None:
                shown[name] = mask_id(value) if name == "payer_id" else value
        return shown


def _text(params: Mapping[str, Any], name: str) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return str(value)


def _moment(value: str, name: str, problems: list[str]) -> dt.datetime | None:
    try:
        return as_naive_datetime(value)
    except ValueError:
        problems.append(
            f"{PARAM_LABELS[name]} {value!r} 不是日期 is not a date (YYYY-MM-DD or YYYY-MM-DD HH:MM)"
        )
        return None


def _window(params: Mapping[str, Any], settings: ExtractSettings, problems: list[str]) -> Window | None:
    start_text, end_text = _text(params, "start"), _text(params, "end")
    if start_text is None:
        if end_text is not None:
            problems.append("只给了结束日期 'end' given without 'start'")
        return None
    start = _moment(start_text, "start", problems)
    end = _moment(end_text, "end", problems) if end_text else None
    if start is None or (end_text and end is None):
        return None
    end = end or start + dt.timedelta(days=1)
    if end <= start:
        problems.append(
            f"结束须晚于开始 'end' ({end:%Y-%m-%d %H:%M}) must be after 'start' ({start:%Y-%m-%d %H:%M})"
        )
        return None
    if end - start > dt.timedelta(days=settings.max_days):
        problems.append(
            f"期间过长 the window covers {(end - start).days} days; at most {settings.max_days} "
            "(extract.max_days): split it into several runs"
        )
        return None
    return Window(start, end)


def cycle_window(cycle: Mapping[str, Any], max_days: int) -> Window:
    """An audit cycle's period (both dates included) as an issue-time window, held to the same
    ``extract.max_days`` as a start/end window; a cycle the platform holds wrongly is refused."""
    cycle_id = cycle["cycle_id"]
    first, last = as_date(cycle["period_start"]), as_date(cycle["period_end"])
    if last < first or last == dt.date.max:
        raise BadRequest(
            [
                f"审验周期日期有误 audit cycle {cycle_id} has no usable period ({first} ~ {last}): "
                "have audit_cycle corrected on the platform, or give start/end instead"
            ]
        )
    days = (last - first).days + 1
    if days > max_days:
        raise BadRequest(
            [
                f"审验周期过长 audit cycle {cycle_id} covers {days} days ({first} ~ {last}); at most "
                f"{max_days} (extract.max_days): give start/end instead, in several runs"
            ]
        )
    start = dt.datetime.combine(first, dt.time())
    return Window(start, start + dt.timedelta(days=days))


def _recipients(
    params: Mapping[str, Any], default: list[str], allowed: list[str], problems: list[str]
) -> tuple[str, ...]:
    raw = params.get("mail_to") or []
    if isinstance(raw, str):
        raw = [part for part in re.split(r"[,;\s]+", raw) if part]
    addresses = [str(a).strip() for a in raw if str(a).strip()] or list(default)
    domains = {d.lower() for d in allowed} or {a.rsplit("@", 1)[-1].lower() for a in default}
    for address in addresses:
        if not EMAIL.match(address):
            problems.append(f"邮箱格式错误 {address!r} is not an e-mail address")
        elif address.rsplit("@", 1)[-1].lower() not in domains:
            problems.append(
                f"收件人不在允许的域 {address!r} is outside the allowed mail domains ({', '.join(sorted(domains))}; "
                "extract.allowed_mail_domains)"
            )
    if not addresses:
        problems.append("没有收件人 send_mail is on but there is no recipient")
    return tuple(addresses)


def build(
    params: Mapping[str, Any], settings: ExtractSettings, *, default_mail_to: list[str] | None = None
) -> Request:
    """Check the trigger form's values against the catalogue; raise ``BadRequest`` listing all problems."""
    problems: list[str] = []
    extraction_id = _text(params, "extraction")
    extraction = BY_ID.get(extraction_id or "")
    if extraction is None:
        known = ", ".join(BY_ID)
        raise BadRequest([f"未知的取数编号 unknown extraction {extraction_id!r} (known: {known})"])

    given = {name for name in ("start", "end", *FILTERS) if _text(params, name) is not None}
    for name in sorted(given - set(extraction.params)):
        problems.append(
            f"{PARAM_LABELS[name]} ('{name}') 不适用于 does not apply to {extraction.id}: leave it empty"
        )
    for name in extraction.required:
        if name not in given:
            problems.append(f"缺少必填参数 {PARAM_LABELS[name]} ('{name}') is required by {extraction.id}")
    if extraction.id == "audit_summary" and ("cycle_id" in given) == ("start" in given):
        problems.append(
            "审验汇总需要审验周期或开始日期之一 audit_summary needs either 'cycle_id' or 'start', not both"
        )

    window = _window(params, settings, problems) if "start" in extraction.params else None

    filters: dict[str, Any] = {name: None for name in FILTERS}
    bus_type = _text(params, "bus_type")
    if bus_type is not None and bus_type not in settings.bus_types:
        problems.append(
            f"未知业务类型 unknown business type {bus_type!r} (known: {', '.join(settings.bus_types)})"
        )
    pay_channel = _text(params, "pay_channel")
    if pay_channel is not None and pay_channel not in settings.pay_channels:
        problems.append(
            f"未知支付渠道 unknown payment channel {pay_channel!r} (known: {', '.join(settings.pay_channels)})"
        )
    place_code = _text(params, "place_code")
    if place_code is not None and not PLACE_CODE.match(place_code):
        problems.append(
            f"开票点编码格式错误 issuing point {place_code!r}: letters, digits, '-' or '_', at most 20"
        )
    payer_id = _text(params, "payer_id")
    if payer_id is not None and not PAYER_ID.match(payer_id):
        problems.append(f"证件号码格式错误 payer ID {mask_id(payer_id)!r}: 4 to 32 letters or digits")
    cycle_id: int | None = None
    cycle_text = _text(params, "cycle_id")
    if cycle_text is not None:
        try:
            cycle_id = int(cycle_text)
            if cycle_id <= 0:
                raise ValueError
        except ValueError:
            problems.append(f"审验周期须为正整数 cycle_id {cycle_text!r} must be a positive whole number")
    filters.update(
        bus_type=bus_type,
        place_code=place_code,
        pay_channel=pay_channel,
        payer_id=payer_id,
        cycle_id=cycle_id,
    )

    max_rows = settings.max_rows
    if params.get("max_rows") not in (None, ""):
        try:
            max_rows = int(params["max_rows"])
        except (TypeError, ValueError):
            problems.append(f"行数上限须为整数 max_rows {params['max_rows']!r} must be a whole number")
        else:
            if not 1 <= max_rows <= settings.max_rows:
                problems.append(
                    f"行数上限 max_rows must be between 1 and {settings.max_rows} (extract.max_rows)"
                )

    send_mail = bool(params.get("send_mail"))
    mail_to: tuple[str, ...] = ()
    if send_mail:
        mail_to = _recipients(params, default_mail_to or [], settings.allowed_mail_domains, problems)
    requested_by = _text(params, "requested_by")
    if requested_by is not None and len(requested_by) > 200:
        problems.append("申请说明过长 requested_by: at most 200 characters")

    if problems:
        raise BadRequest(problems)
    return Request(
        extraction=extraction,
        window=window,
        filters=filters,
        max_rows=max_rows,
        send_mail=send_mail,
        mail_to=mail_to,
        requested_by=requested_by,
    )
