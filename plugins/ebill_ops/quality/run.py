"""What the invoice-quality DAG's tasks call: validate the window, write the fix list, mail, gate.

Each business day of the window is validated and stored on its own (one ebops transaction per
day: its failing bills and pass rates are deleted and re-inserted), so a re-run or a backfill of
any day replaces exactly that day, and a failure on day N keeps days 1..N-1.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pendulum

from ebill_ops import artifacts, db
from ebill_ops.config import common, section
from ebill_ops.intervals import Window, day_window, local_now
from ebill_ops.paths import project_home
from ebill_ops.quality.engines import (
    QualityMismatch,
    check_day_database,
    check_day_pandas,
    prepare_session,
)
from ebill_ops.quality.gxrun import DataDocs, GxSession
from ebill_ops.quality.outcome import DayResult, RuleOutcome, merge
from ebill_ops.quality.rules import RULES, SEVERITY_LABELS, SOURCE_LABELS, QualitySettings, active_rules

log = logging.getLogger(__name__)
DAG_ID = "ebill_invoice_quality"
MAX_DOC_PAGES_IN_SUMMARY = 31


def settings() -> QualitySettings:
    return section("quality", QualitySettings)


def choose_engine(configured: str, dialect: str) -> str:
    """``database`` only where GX validates in the database well (PostgreSQL family)."""
    if configured == "auto":
        return "database" if dialect == "postgresql" else "pandas"
    if configured == "database" and dialect != "postgresql":
        raise ValueError(f"quality.engine=database needs a PostgreSQL-family ebill_db, not {dialect}")
    return configured


def gx_project_dir(cfg: QualitySettings) -> tuple[Path, str | None]:
    """Where the GX project lives locally, and the public URL of its Data Docs when copied."""
    if cfg.gx_project_dir:
        local = Path(cfg.gx_project_dir.replace("{home}", str(project_home())))
        base = artifacts.base_url()
        return local, None if base.startswith("file://") else f"{base.rstrip('/')}/quality/data_docs"
    base = artifacts.base_url()
    if base.startswith("file://"):
        return Path(base[len("file://") :]) / "quality" / "gx", None
    return Path.home() / ".ebill-ops" / "quality-gx", f"{base.rstrip('/')}/quality/data_docs"


def sqlalchemy_url(conn_id: str, cfg: QualitySettings) -> str:
    """SQLAlchemy URL for GX's datasource: read-only session, JIT off, bounded statement time."""
    from sqlalchemy.engine import URL

    conn = db.get_airflow_connection(conn_id)
    kw = db.postgres_conninfo(conn, read_only=True)
    options = " ".join(
        part
        for part in (
            kw.get("options", ""),
            "-c jit=off",
            f"-c work_mem={cfg.work_mem_mb}MB",
            f"-c statement_timeout={cfg.statement_timeout_seconds}s",
        )
        if part
    )
    query = {"options": options, "application_name": f"{kw.get('application_name', 'ebill-ops')}-quality"}
    for key in ("connect_timeout", "sslmode", "sslrootcert", "sslcert", "sslkey"):
        if key in kw:
            query[key] = str(kw[key])
    url = URL.create(
        "postgresql+psycopg",
        username=kw.get("user"),
        password=kw.get("password"),
        host=kw.get("host"),
        port=kw.get("port"),
        database=kw.get("dbname"),
        query=query,
    )
    return url.render_as_string(hide_password=False)


def settled(window: Window, *, manual: bool = False, now: dt.datetime | None = None) -> bool:
    """A scheduled day is checked ``settle_minutes`` after it ends; a manual range at once."""
    if manual:
        return True
    now = now or pendulum.now(common().timezone).naive()
    return now >= window.end + dt.timedelta(minutes=settings().settle_minutes)


def window_of(value: dict[str, str]) -> Window:
    return Window(dt.datetime.fromisoformat(value["start"]), dt.datetime.fromisoformat(value["end"]))


def pass_rate_rows(result: DayResult, run_id: str, computed_at: dt.datetime) -> list[dict[str, Any]]:
    return [
        {
            "check_day": result.day,
            "rule_id": o.rule_id,
            "severity": o.severity,
            "source": o.source,
            "bills": o.bills,
            "checked": o.checked,
            "failed": o.failed,
            "pass_rate": o.pass_rate,
            "status": o.status,
            "engine": result.engine,
            "data_docs_url": (result.docs_url or "")[:1000] or None,
            "run_id": run_id[:250],
            "computed_at": computed_at,
        }
        for o in result.outcomes.values()
    ]


def validate(window: Window, *, run_id: str, cfg: QualitySettings | None = None) -> dict[str, Any]:
    """Validate every business day of ``window``; store failures and pass rates; build Data Docs."""
    cfg = cfg or settings()
    rules = active_rules(cfg)
    if not rules:
        raise ValueError("quality: every rule is disabled in the settings; nothing to check")
    conns = common().connections
    engine = choose_engine(cfg.engine, db.dialect_of(conns.ebill_db))
    as_of = local_now()
    run_time = dt.datetime.now(dt.UTC)
    project_dir, public = gx_project_dir(cfg)
    docs = DataDocs(project_dir, public)
    started = time.perf_counter()
    days: list[DayResult] = []
    with GxSession(rules, as_of, run_time) as session, db.connect(conns.ebill_db) as bill:
        prepare_session(
            bill, work_mem_mb=cfg.work_mem_mb, statement_timeout_seconds=cfg.statement_timeout_seconds
        )
        if engine == "database":
            session.use_database(sqlalchemy_url(conns.ebill_db, cfg))
        try:
            # Whole days always: a day's rows are replaced as a whole, so a window that starts or
            # ends inside a day (a manual run with times) must not replace it with a part.
            for day in window.days:
                days.append(
                    _check_and_store(session, docs, bill, day_window(day), engine, rules, cfg, run_id)
                )
                log.info(
                    "quality %s: %s bills, %s failing bill-rule pairs, %.1fs (%s)",
                    days[-1].day,
                    days[-1].bills,
                    days[-1].failures_written,
                    days[-1].seconds,
                    engine,
                )
        finally:  # the days already checked get their pages even when a later day fails
            index = _publish(docs, public)
    return summarize(window, days, engine=engine, docs_index=index, seconds=time.perf_counter() - started)


def _publish(docs: DataDocs, public: str | None) -> str:
    try:
        index = docs.build()
        if public:
            artifacts.upload_dir(docs.site_dir, "quality", "data_docs")
    except Exception:  # Data Docs are a view of the results; never let them hide a real failure
        log.exception("could not build the Data Docs")
        return docs.index_url()
    log.info("Data Docs 数据文档: %s", index)
    return index


def _check_and_store(
    session: GxSession,
    docs: DataDocs,
    bill: db.Db,
    day_window: Window,
    engine: str,
    rules: list,
    cfg: QualitySettings,
    run_id: str,
) -> DayResult:
    """One day in one ebops transaction; a GX/extraction disagreement (the day's data changed
    between the two passes) is retried once before it fails the task."""
    day = day_window.start.date()
    for attempt in (1, 2):
        # A new read-only transaction per day (Db.commit begins Oracle's again): no snapshot is held
        # for a whole backfill (vacuum, ORA-01555), and a re-check sees the data as it is now.
        bill.commit()
        try:
            with db.connect(common().connections.ebops_db, read_only=False) as ops:
                ops.execute("quality/delete_failures", {"check_day": day})
                ops.execute("quality/delete_pass_rates", {"check_day": day})

                def sink(batch: list[dict[str, Any]]) -> None:
                    ops.executemany("quality/insert_failure", batch)

                kwargs = {
                    "rules": rules,
                    "red_lookahead_days": cfg.red_lookahead_days,
                    "max_issue_lag_days": cfg.max_issue_lag_days,
                    "run_id": run_id,
                    "found_at": local_now(),  # site-local, as people read it
                    "sink": sink,
                }
                if engine == "database":
                    result = check_day_database(session, docs, bill, day_window, **kwargs)
                else:
                    result = check_day_pandas(
                        session, docs, bill, day_window, chunk_rows=cfg.chunk_rows, **kwargs
                    )
                result.docs_url = docs.page_url(result.docs_identifier) if result.docs_identifier else None
                computed_at = local_now()
                ops.executemany("quality/insert_pass_rate", pass_rate_rows(result, run_id, computed_at))
            return result
        except QualityMismatch:
            if attempt == 2:
                raise
            log.warning(
                "quality %s: the day's data changed between GX and the extraction; checking again", day
            )
    raise AssertionError("unreachable")


def summarize(
    window: Window, days: list[DayResult], *, engine: str, docs_index: str, seconds: float
) -> dict[str, Any]:
    """The small dict downstream tasks and the demo read (details stay in ebops)."""
    total = merge(d.outcomes for d in days)
    days_failed = {
        rid: sum(1 for d in days if d.outcomes.get(rid) and d.outcomes[rid].failed) for rid in total
    }
    rules = [_rule_line(o, days_failed[o.rule_id]) for o in total.values()]
    return {
        "window": {"start": window.start.isoformat(sep=" "), "end": window.end.isoformat(sep=" ")},
        "first_day": days[0].day.isoformat() if days else window.start.date().isoformat(),
        "last_day": days[-1].day.isoformat() if days else window.start.date().isoformat(),
        "days": len(days),
        "engine": engine,
        "bills": sum(d.bills for d in days),
        "failures": sum(d.failures_written for d in days),
        "rules": rules,
        "critical_failed": [
            r["rule_id"] for r in rules if r["severity"] == "critical" and r["status"] in ("failed", "error")
        ],
        "warning_failed": [
            r["rule_id"] for r in rules if r["severity"] == "warning" and r["status"] in ("failed", "error")
        ],
        "errors": [r["rule_id"] for r in rules if r["status"] == "error"],
        "data_docs": docs_index,
        "data_docs_pages": {d.day.isoformat(): d.docs_url for d in days[:MAX_DOC_PAGES_IN_SUMMARY]},
        "seconds": round(seconds, 1),
    }


def _rule_line(outcome: RuleOutcome, days_failed: int) -> dict[str, Any]:
    spec = RULES[outcome.rule_id]
    return {
        "rule_id": outcome.rule_id,
        "title": spec.title,
        "severity": outcome.severity,
        "severity_label": SEVERITY_LABELS.get(outcome.severity, outcome.severity),
        "source": SOURCE_LABELS[spec.source],
        "checked": outcome.checked,
        "failed": outcome.failed,
        "pass_rate": outcome.pass_rate,
        "status": outcome.status,
        "days_failed": days_failed,
        "error": outcome.error,
    }


def fix_list(summary: dict[str, Any], cfg: QualitySettings | None = None) -> str | None:
    """The vendor's Excel fix list for the window (from ebops); its URL, or None when all passed."""
    from ebill_ops.quality.fixlist import Workbook

    cfg = cfg or settings()
    if not summary["failures"]:
        return None
    first, last = dt.date.fromisoformat(summary["first_day"]), dt.date.fromisoformat(summary["last_day"])
    book = Workbook(
        f"票据质量整改清单 Invoice quality fix list — {common().site_name}",
        {
            "日期 Days": summary["first_day"] if first == last else f"{first} … {last}",
            "检查票数 Bills checked": summary["bills"],
            "生成时间 Generated": local_now().isoformat(sep=" "),
            "数据文档 Data Docs": summary["data_docs"],
        },
    )
    with db.connect(common().connections.ebops_db) as ops:
        for line in summary["rules"]:
            sheet = None
            if line["failed"]:
                failures = _stream_failures(
                    ops,
                    {
                        "rule_id": line["rule_id"],
                        "first_day": first,
                        "last_day": last,
                        "max_rows": cfg.fix_list_max_rows_per_rule,
                    },
                )
                sheet = book.rule_sheet(
                    line["rule_id"], failures, cap=cfg.fix_list_max_rows_per_rule, total=line["failed"]
                )
            book.summary_line(line, sheet)
    name = f"fix-list_{first}.xlsx" if first == last else f"fix-list_{first}_{last}.xlsx"
    url = artifacts.write_bytes(book.finish(), "quality", name)
    log.info("fix list 整改清单: %s", url)
    return url


FAILURE_COLUMNS = (
    "check_day", "rule_id", "bill_id", "ivc_date_time", "severity", "bus_no", "place_code", "bus_type",
    "bill_batch_code", "bill_no", "bus_date_time", "total_amt", "observed", "detail", "engine", "run_id", "found_at",
)  # fmt: skip  # the select list of quality/failures_of_rule


def _stream_failures(ops: db.Db, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for batch in ops.iter_tuples(ops.sql("quality/failures_of_rule"), params, batch=5_000):
        for row in batch:
            yield dict(zip(FAILURE_COLUMNS, row, strict=True))


def notify(summary: dict[str, Any], fix_list_url: str | None, *, run_id: str) -> dict[str, Any]:
    """Track the window's incident and mail when it opens, escalates or recovers.

    The mail goes out before the incident commits: if it fails, the retry decides (and mails) again.
    """
    from ebill_ops import alerts, incidents
    from ebill_ops.quality import report

    level = report.severity(summary)
    with db.connect(common().connections.ebops_db, read_only=False) as ops:
        outcome = incidents.track(
            ops,
            report.incident_key(summary),
            active=level != "ok",
            severity=level,
            summary=report.headline(summary),
        )
        if not outcome.should_notify:
            return {"mailed": False, "decision": outcome.decision, "severity": level}
        last = dt.date.fromisoformat(summary["last_day"])
        rows = ops.rows(
            "quality/pass_rates",
            {"first_day": last - dt.timedelta(days=report.TREND_DAYS - 1), "last_day": last},
        )
        days, table = report.trend(rows, last)
        body = report.render(
            summary,
            fix_list=fix_list_url,
            decision=outcome.decision,
            run_id=run_id,
            trend_days=days,
            trend_table=table,
            runbook=alerts.runbook_link(DAG_ID),
        )
        kind = {"critical": "critical", "warning": "alert"}.get(level, "recovered")
        alerts.send_mail(alerts.subject(kind, DAG_ID, report.headline(summary)), body)
    return {"mailed": True, "decision": outcome.decision, "severity": level}


def enforce(summary: dict[str, Any], notified: dict[str, Any]) -> dict[str, Any]:
    """Critical rules decide the outcome: fail (no retry) after everything was recorded and mailed."""
    if not summary["critical_failed"]:
        return {**summary_brief(summary), **notified}
    message = (
        f"critical invoice-spec rule(s) failed 严重规则不合格 {summary['first_day']}..{summary['last_day']}: "
        f"{', '.join(summary['critical_failed'])}; Data Docs 数据文档: {summary['data_docs']}; fix list 整改清单: see the mail or write_fix_list"
    )
    raise _failure(message, already_mailed=notified.get("mailed") or notified.get("decision") == "ongoing")


def summary_brief(summary: dict[str, Any]) -> dict[str, Any]:
    """What the demo prints: the window, the counts and which rules failed."""
    return {
        "first_day": summary["first_day"],
        "last_day": summary["last_day"],
        "bills": summary["bills"],
        "failures": summary["failures"],
        "critical_failed": summary["critical_failed"],
        "warning_failed": summary["warning_failed"],
        "data_docs": summary["data_docs"],
    }


def _failure(message: str, *, already_mailed: bool) -> Exception:
    """AirflowFailException; marked as already alerted when the quality mail said it all."""
    from ebill_ops import alerts

    if already_mailed:
        return alerts.alerted_failure(message)
    from airflow.sdk.exceptions import AirflowFailException

    return AirflowFailException(message)
