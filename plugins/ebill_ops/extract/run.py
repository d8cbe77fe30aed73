"""The extraction tasks: check the request against the platform, stream the rows into the
workbook, write it where artifacts go, and optionally mail it. Read-only on the bill platform."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import shutil
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from ebill_ops import alerts, artifacts, db
from ebill_ops.config import common
from ebill_ops.extract.catalogue import BY_ID, PARAM_LABELS
from ebill_ops.extract.request import BadRequest, Request, build, cycle_window
from ebill_ops.extract.settings import ExtractSettings, extract_settings
from ebill_ops.extract.workbook import ExtractionWorkbook, Written, label_maps
from ebill_ops.intervals import as_date, local_now
from ebill_ops.paths import templates_dir

log = logging.getLogger(__name__)

DAG_ID = "ebill_data_extraction"
MAIL_TEMPLATE = "extract_mail.html.j2"
_PLACEHOLDER = re.compile(r"%\((\w+)\)s|(?<![:\w]):(\w+)")


def bind(text: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """Only the parameters the statement names (Oracle rejects unused binds)."""
    used = {a or b for a, b in _PLACEHOLDER.findall(text)}
    return {k: v for k, v in params.items() if k in used}


def request_from(params: Mapping[str, Any] | None, settings: ExtractSettings | None = None) -> Request:
    """The trigger form's values as a checked request (``BadRequest`` lists every problem)."""
    return build(params or {}, settings or extract_settings(), default_mail_to=list(common().alerts.to))


def resolve(bill: db.Db, request: Request, *, max_days: int) -> tuple[Request, dict[str, Any]]:
    """What only the platform can tell: the issuing point exists; an audit cycle's period.

    Returns the request with its window and the facts the cover sheet adds (point and cycle).
    """
    facts: dict[str, Any] = {}
    problems: list[str] = []
    place_code = request.filters.get("place_code")
    if place_code is not None:
        points = {p["place_code"]: p for p in bill.rows("extract/points")}
        if place_code not in points:
            problems.append(
                f"未知开票点 unknown issuing point {place_code!r} (known: {', '.join(sorted(points)) or 'none'})"
            )
        else:
            facts["place_name"] = points[place_code]["place_name"]
    cycle_id = request.filters.get("cycle_id")
    if cycle_id is not None:
        cycle = bill.one("extract/audit_cycle", {"cycle_id": cycle_id})
        if cycle is None:
            problems.append(f"未知审验周期 unknown audit cycle {cycle_id}")
        else:
            request = request.with_window(cycle_window(cycle, max_days))
            facts["cycle"] = (
                f"#{cycle_id}: {as_date(cycle['period_start'])} ~ {as_date(cycle['period_end'])}, "
                f"截止 deadline {as_date(cycle['deadline'])}, "
                f"{'已提交 submitted ' + str(cycle['submitted_time']) if cycle['submitted_time'] else '未提交 not submitted'}"
            )
    if problems:
        raise BadRequest(problems)
    return request, facts


def check(params: Mapping[str, Any] | None) -> dict[str, Any]:
    """The check task: the request is complete and names things that exist."""
    settings = extract_settings()
    request = request_from(params, settings)
    with db.connect(common().connections.ebill_db) as bill:
        request, facts = resolve(bill, request, max_days=settings.max_days)
    return describe(request, facts)


def describe(request: Request, facts: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """What the run will extract, safe for the log and XCom (the payer ID is masked)."""
    return {
        "extraction": request.extraction.id,
        "title": request.extraction.title,
        "params": request.shown_params(),
        "max_rows": request.max_rows,
        "send_mail": request.send_mail,
        "mail_to": list(request.mail_to),
        "requested_by": request.requested_by,
        **({"facts": dict(facts)} if facts else {}),
    }


def file_name(extraction_id: str, run_id: str) -> str:
    """One file per run: a retry overwrites its own workbook, another run never does."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", run_id).strip("_") or "run"
    return f"{extraction_id}__{safe}.xlsx"


def _count(bill: db.Db, text: str, params: Mapping[str, Any]) -> int:
    """How many rows the query matches (only asked when the cap truncated the workbook)."""
    inner = text.strip().rstrip(";")
    found = bill.rows_sql(f"SELECT COUNT(*) AS row_count FROM ({inner}) q", params)
    return int(found[0]["row_count"])


def _format_total(value: Decimal | int) -> str:
    return f"{value:,.2f}" if isinstance(value, Decimal) else f"{value:,}"


def cover_facts(
    request: Request,
    written: Written,
    total_rows: int,
    *,
    facts: Mapping[str, Any],
    run_id: str,
    triggered_by: str | None,
    source: str,
    generated_at: dt.datetime,
    code_names: Mapping[str, Mapping[str, str]] | None = None,
) -> list[tuple[str, Any]]:
    settings = common()
    extraction = request.extraction
    assert request.window is not None
    shown = request.shown_params()
    code_names = code_names or {}
    rows: list[tuple[str, Any]] = [
        ("站点 Site", settings.site_name),
        ("环境 Environment", settings.environment),
        ("取数编号 Extraction", f"{extraction.id} — {extraction.title}"),
        (
            "数据期间(开票时间) Period (issue time)",
            f"{request.window.start:%Y-%m-%d %H:%M} → {request.window.end:%Y-%m-%d %H:%M}（不含结束时刻 end exclusive）",
        ),
    ]
    names = {"bus_type": code_names.get("bus_type", {}), "pay_channel": code_names.get("pay_channel", {})}
    if facts.get("place_name"):
        names["place_code"] = {shown.get("place_code"): facts["place_name"]}
    for name in ("bus_type", "place_code", "pay_channel", "payer_id"):
        if name in shown:
            meaning = names.get(name, {}).get(shown[name])
            rows.append((PARAM_LABELS[name], f"{shown[name]} {meaning}" if meaning else shown[name]))
    if "cycle" in facts:
        rows.append((PARAM_LABELS["cycle_id"], facts["cycle"]))
    rows += [
        ("申请人/用途 Requested for", request.requested_by or "-"),
        ("操作人 Triggered by", triggered_by or "-"),
        ("运行 Airflow run", run_id),
        ("生成时间 Generated at", f"{generated_at:%Y-%m-%d %H:%M:%S} ({settings.timezone})"),
        ("数据来源 Source", f"{source}（只读 read-only）"),
        ("行数 Rows", written.rows),
    ]
    if written.truncated:
        rows.append(
            (
                "已截断 TRUNCATED",
                f"仅导出前 {written.rows:,} 行，符合条件共 {total_rows:,} 行；请缩短期间或增加筛选条件后分次导出。 "
                f"Only the first {written.rows:,} of {total_rows:,} matching rows are in this workbook: "
                "narrow the window or add filters and extract the rest in further runs.",
            )
        )
    else:
        rows.append(
            ("完整性 Complete", "是，已导出全部符合条件的行 yes: every matching row is in this workbook")
        )
    by_key = {c.key: c for c in extraction.columns}
    for key, value in written.totals.items():
        label = "合计(已导出行) Total of exported rows" if written.truncated else "合计 Total"
        rows.append((f"{label}: {by_key[key].header}", _format_total(value)))
    return rows


def extract(
    params: Mapping[str, Any] | None,
    *,
    run_id: str,
    triggered_by: str | None = None,
    conn_id: str | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Run one extraction into a workbook; returns where it is and what it holds (no personal data)."""
    settings = extract_settings()
    request = request_from(params, settings)
    conn_id = conn_id or common().connections.ebill_db
    extraction = request.extraction
    with db.connect(conn_id) as bill:
        request, facts = resolve(bill, request, max_days=settings.max_days)
        text = bill.sql(extraction.query)
        query_params = bind(text, request.query_params())
        book = ExtractionWorkbook(extraction, label_maps(settings.bus_types, settings.pay_channels))
        batches = bill.iter_tuples(text, query_params, batch=settings.fetch_batch)
        try:
            written = book.write(batches, request.max_rows)
        finally:
            batches.close()
        total_rows = _count(bill, text, query_params) if written.truncated else written.rows
        dialect = bill.dialect
    generated_at = now or local_now()
    facts_rows = cover_facts(
        request,
        written,
        total_rows,
        facts=facts,
        run_id=run_id,
        triggered_by=triggered_by,
        source=f"{conn_id} ({dialect})",
        generated_at=generated_at,
        code_names={"bus_type": settings.bus_types, "pay_channel": settings.pay_channels},
    )
    data = book.finish(facts_rows, extraction.notes)
    name = file_name(extraction.id, run_id)
    url = artifacts.write_bytes(data, "extract", extraction.id, name)
    log.info(
        "extraction %s: %d of %d rows%s -> %s",
        extraction.id,
        written.rows,
        total_rows,
        " (TRUNCATED)" if written.truncated else "",
        url,
    )
    return {
        **describe(request, facts),
        "url": url,
        "file_name": name,
        "rows": written.rows,
        "total_rows": total_rows,
        "truncated": written.truncated,
        "totals": {k: _format_total(v) for k, v in written.totals.items()},
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "generated_at": generated_at.isoformat(sep=" ", timespec="seconds"),
    }


def render_mail(result: Mapping[str, Any], *, attached: bool) -> str:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    extraction = BY_ID.get(result["extraction"])
    columns = {c.key: c.header for c in extraction.columns} if extraction else {}
    return env.get_template(MAIL_TEMPLATE).render(
        result=result,
        attached=attached,
        labels=PARAM_LABELS,
        columns=columns,
        site=common().site_name,
        environment=common().environment,
    )


def mail(result: Mapping[str, Any], *, attach_max_mb: float | None = None) -> list[str]:
    """Mail the workbook's link to the request's recipients (attached when small enough)."""
    if not result.get("send_mail"):
        return []
    limit = extract_settings().attach_max_mb if attach_max_mb is None else attach_max_mb
    attach = result["bytes"] <= limit * 1024 * 1024
    files: list[str] = []
    scratch = artifacts.scratch_dir("extract") if attach else None
    try:
        if scratch is not None:
            local = Path(scratch) / result["file_name"]
            local.write_bytes(
                artifacts.artifact_path("extract", result["extraction"], result["file_name"]).read_bytes()
            )
            files.append(str(local))
        detail = f"{result['title']}: {result['rows']} 行 rows" + (
            " 已截断 TRUNCATED" if result["truncated"] else ""
        )
        return alerts.send_mail(
            alerts.subject("report", DAG_ID, detail),
            render_mail(result, attached=bool(files)),
            to=result["mail_to"],
            files=files or None,
        )
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
