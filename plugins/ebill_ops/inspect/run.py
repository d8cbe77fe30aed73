"""The inspection's tasks: each check family reads its systems, judges, and replaces its rows.

Live checks (hosts, database, endpoints, backups) look at systems *now*; they run only when the
run's interval is recent (``report.live_window_hours``), so a backfill of an old day re-evaluates
that day's application figures without overwriting what the live checks saw back then.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from ebill_ops import db
from ebill_ops.config import common
from ebill_ops.inspect import application, backups, database, endpoints, host, ssh, store
from ebill_ops.inspect.findings import Finding, counts
from ebill_ops.inspect.settings import HostSpec, InspectSettings, inspect_settings
from ebill_ops.intervals import Window, as_date, local_now

log = logging.getLogger(__name__)

SOURCE_ENDPOINTS = "endpoints"
SOURCE_APPLICATION = "application"
SOURCE_BACKUP = "backup"


def check_date_of(window: Window) -> dt.date:
    """The inspection's date: the local day its window ends on (06:00 run → that morning)."""
    return window.end.date()


def is_live(window: Window, settings: InspectSettings, now: dt.datetime | None = None) -> bool:
    now = now or local_now()
    return (now - window.end).total_seconds() <= settings.report.live_window_hours * 3600


def database_conn_ids(settings: InspectSettings) -> list[str]:
    return list(settings.database.conn_ids) or [common().connections.ebill_db]


def host_conn_ids(settings: InspectSettings) -> list[str]:
    return [h.conn_id for h in settings.host.hosts]


def _host(conn_id: str, settings: InspectSettings) -> HostSpec:
    for h in settings.host.hosts:
        if h.conn_id == conn_id:
            return h
    raise ValueError(f"{conn_id!r} is not a configured inspection host (inspect.host.hosts)")


def summarize(source: str, findings: list[Finding]) -> dict[str, Any]:
    """The small XCom of a check task."""
    return {
        "source": source,
        "findings": len(findings),
        **counts(findings),
        "critical_targets": [f.key for f in findings if f.severity == "critical"][:20],
    }


def save(window: Window, source: str, findings: list[Finding]) -> dict[str, Any]:
    with db.connect(common().connections.ebops_db, read_only=False) as ops:
        store.save_findings(ops, check_date_of(window), source, findings)
    return summarize(source, findings)


def inspect_host(conn_id: str, window: Window, settings: InspectSettings | None = None) -> dict[str, Any]:
    settings = settings or inspect_settings()
    spec = _host(conn_id, settings)
    sample = ssh.visit(spec, settings.host)
    return save(window, conn_id, host.assess(sample, settings.host))


def inspect_database(conn_id: str, window: Window, settings: InspectSettings | None = None) -> dict[str, Any]:
    settings = settings or inspect_settings()
    check_date = check_date_of(window)
    with db.connect(common().connections.ebops_db) as ops:
        previous = store.previous_findings(ops, check_date, conn_id)
        since = store.previous_observed(ops, check_date, conn_id) or window.start
    try:
        findings = _database_findings(conn_id, settings, since, previous)
    except Exception as exc:  # unreachable after the driver's own timeout: a finding, not a crash
        log.warning("database %s not inspected: %s", conn_id, type(exc).__name__)
        findings = [
            Finding(
                "database",
                "reachable",
                conn_id,
                0,
                "",
                "connects",
                "critical",
                "数据库连接失败：检查实例、监听与账户状态。 Cannot connect: check the instance, the listener and the account.",
                f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:300],
            )
        ]
    return save(window, conn_id, findings)


def _database_findings(
    conn_id: str, settings: InspectSettings, since: dt.datetime, previous
) -> list[Finding]:
    # Not autocommit: on Oracle only a transaction can be READ ONLY (Db begins one after each
    # commit or rollback); with autocommit the inspection account's session could write.
    with db.connect(conn_id, read_only=True) as target:
        _limit_statements(target, settings.database.statement_timeout_seconds)
        found = database.run_checks(target, conn_id, settings.database, since, previous)
    return [Finding("database", "reachable", conn_id, 1, "", "connects", "ok", "正常 ok"), *found]


def _limit_statements(target: db.Db, seconds: int) -> None:
    """No inspection query may hang the morning: a per-statement time limit in either engine."""
    if target.dialect == "postgresql":
        target.execute_sql(f"SET statement_timeout = {int(seconds) * 1000}")
        target.commit()  # a SET inside a transaction would be undone by the first rollback
    else:
        target.conn.call_timeout = int(seconds) * 1000


def inspect_endpoints(window: Window, settings: InspectSettings | None = None) -> dict[str, Any]:
    settings = settings or inspect_settings()
    return save(window, SOURCE_ENDPOINTS, endpoints.check_all(settings.endpoints, settings.application))


def inspect_backups(window: Window, settings: InspectSettings | None = None) -> dict[str, Any]:
    settings = settings or inspect_settings()
    with db.connect(common().connections.ebops_db) as ops:
        rows = store.last_backups(ops)
    findings = backups.assess(rows, local_now(), settings.database.backup_max_age_hours)
    return save(window, SOURCE_BACKUP, findings)


def inspect_application(window: Window, settings: InspectSettings | None = None) -> dict[str, Any]:
    """Volume against the weekday norm, issuing errors and the in-transit backlog of the window."""
    settings = settings or inspect_settings()
    app = settings.application
    with db.connect(common().connections.ebill_db) as bill:
        current = int(bill.one("inspect/app_bill_count", window.params())["bills"])
        earlier = [
            int(bill.one("inspect/app_bill_count", w.params())["bills"])
            for w in application.norm_windows(window, app.norm_weeks)
        ]
        errors = bill.rows("inspect/app_issue_errors", window.params())
        transit = bill.rows("inspect/app_transit_backlog", application.transit_params(window, app))
    findings = [
        application.bills_issued(current, earlier, app),
        *application.issue_errors(errors, app),
        *application.transit_backlog(transit, app),
    ]
    return save(window, SOURCE_APPLICATION, findings)


def bills_per_day(window: Window, days: int) -> dict[dt.date, int]:
    """Bills issued per day over the trend period (straight from the platform: a chart from day one)."""
    start = dt.datetime.combine(window.end.date() - dt.timedelta(days=days), dt.time())
    with db.connect(common().connections.ebill_db) as bill:
        rows = bill.rows("inspect/app_bills_per_day", {"window_start": start, "window_end": window.end})
    return {as_date(r["day"]): int(r["bills"]) for r in rows}


def expected_sources(settings: InspectSettings, live: bool) -> list[str]:
    """The sources a complete run writes today (live checks only when the run is live)."""
    if not live:
        return [SOURCE_APPLICATION]
    return [
        *host_conn_ids(settings),
        *database_conn_ids(settings),
        SOURCE_ENDPOINTS,
        SOURCE_APPLICATION,
        SOURCE_BACKUP,
    ]


def _configured(stored: list[store.Stored], settings: InspectSettings) -> list[store.Stored]:
    """Only sources of the current configuration: a host or database taken out of the settings
    (or a one-off check) must not keep haunting the day's report and alerts."""
    sources = set(expected_sources(settings, live=True))
    return [s for s in stored if s.source in sources]


def report_url(check_date: dt.date) -> str:
    from ebill_ops import artifacts

    return str(artifacts.artifact_path("inspect", f"inspection_{check_date.isoformat()}.html"))


def alert(window: Window, settings: InspectSettings | None = None) -> dict[str, Any]:
    """Critical findings at once (new or worse only) and recoveries; nothing for a backfill."""
    from ebill_ops.inspect import notify

    settings = settings or inspect_settings()
    if not is_live(window, settings):
        return {"alerted": 0, "recovered": 0, "live": False}
    check_date = check_date_of(window)
    with db.connect(common().connections.ebops_db) as ops:
        stored = _configured(store.findings_of(ops, check_date), settings)
    pairs = [(s.source, s.finding) for s in stored]
    return {**notify.alert_criticals(pairs, report_url=report_url(check_date)), "live": True}


def finish(
    window: Window, run_started: dt.datetime | None, settings: InspectSettings | None = None
) -> dict[str, Any]:
    """Render and keep the report, record the run, mail the report unless it says nothing new."""
    from ebill_ops import artifacts
    from ebill_ops.inspect import notify, report

    settings = settings or inspect_settings()
    live = is_live(window, settings)
    check_date = check_date_of(window)
    days = settings.report.trend_days
    with db.connect(common().connections.ebops_db) as ops:
        stored = _configured(store.findings_of(ops, check_date), settings)
        stored_trend = store.trend(ops, check_date - dt.timedelta(days=days - 1), check_date)
        previous_run = store.get_run(ops, check_date)
    findings = [s.finding for s in stored]
    started = _local_naive(run_started) if run_started else dt.datetime.min
    fresh = {s.source for s in stored if s.observed_at >= started}
    failed = [source for source in expected_sources(settings, live) if source not in fresh]
    bills = bills_per_day(window, days)
    # The inspection of day D judges the window before it: chart the business days up to D - 1.
    series = report.trend_series(check_date, days, _shift(bills), stored_trend)
    site = common()
    now = local_now()
    html_text = report.render(
        site=site.site_name,
        environment=site.environment,
        check_date=check_date,
        window_text=f"{window.start:%Y-%m-%d %H:%M} → {window.end:%Y-%m-%d %H:%M}",
        findings=findings,
        series=series,
        live=live,
        failed_checks=failed,
        generated_at=now,
        backup_catalog=BACKUP_CATALOG,
    )
    url = artifacts.write_text(html_text, "inspect", f"inspection_{check_date.isoformat()}.html")
    tally = counts(findings)
    worst_severity = "critical" if tally["critical"] else ("warning" if tally["warning"] else "ok")
    fingerprint = report.fingerprint(findings, failed)
    already = (
        previous_run is not None
        and previous_run.get("mailed_at")
        and previous_run.get("fingerprint") == fingerprint
    )
    mailed_at = previous_run.get("mailed_at") if already else now
    recipients: list[str] = []
    # The run row and its mail commit together: a failed mail rolls the row back and the retry
    # decides (and mails) again; a failed write cannot leave a mail that the retry sends twice.
    with db.connect(common().connections.ebops_db, read_only=False) as ops:
        store.save_run(
            ops,
            {
                "check_date": check_date,
                "window_start": window.start,
                "window_end": window.end,
                "finished_at": now,
                "worst_severity": worst_severity,
                "ok_count": tally["ok"],
                "warning_count": tally["warning"],
                "critical_count": tally["critical"],
                "report_url": url[:1000],
                "fingerprint": fingerprint,
                "mailed_at": mailed_at,
            },
        )
        if not already:
            recipients = notify.mail_report(
                check_date,
                html_text,
                worst=worst_severity,
                counts=tally,
                report_url=url,
                updated=previous_run is not None and previous_run.get("mailed_at") is not None,
                to=settings.report.to or None,
            )
    return {
        "check_date": check_date.isoformat(),
        "severity": worst_severity,
        **tally,
        "critical_findings": [
            f"{f.label} {f.target}: {f.detail or f.value}"[:160] for f in findings if f.severity == "critical"
        ][:15],
        "warning_findings": [f"{f.label} {f.target}"[:120] for f in findings if f.severity == "warning"][:15],
        "incomplete_checks": failed,
        "live": live,
        "report_url": url,
        "report_mailed_to": recipients,
        "backup_catalog": BACKUP_CATALOG,
    }


def _local_naive(value: dt.datetime) -> dt.datetime:
    """An aware instant (the run's start) as the naive local time our rows carry, to the second."""
    if value.tzinfo is None:
        return value.replace(microsecond=0)
    import pendulum

    return pendulum.instance(value).in_timezone(common().timezone).naive().replace(microsecond=0)


BACKUP_CATALOG = "ebops_db: ebops.backup_catalog, ebops.backup_table_check"


def _shift(bills: dict[dt.date, int]) -> dict[dt.date, int]:
    """Bills of business day D drawn on inspection day D + 1, the morning that judged them."""
    return {day + dt.timedelta(days=1): n for day, n in bills.items()}
