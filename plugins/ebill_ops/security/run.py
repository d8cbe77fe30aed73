"""The audit's tasks: application users, each database, then incidents, report and mail.

Each audit task replaces its source's rows of the week in ebops; the last task reads the week
back, so it can be re-run on its own and always reports what is stored.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from typing import Any

import pendulum

from ebill_ops import alerts, artifacts, db
from ebill_ops.config import common
from ebill_ops.intervals import Window, local_now
from ebill_ops.security import app_users, candidates, db_accounts, db_checks, notify, report, store
from ebill_ops.security.findings import Finding, accept, counts, ordered
from ebill_ops.security.settings import SecuritySettings, database_conn_ids, security_settings

log = logging.getLogger(__name__)

DAG_ID = "ebill_security_audit"
TREND_WEEKS = 8


@dataclass(frozen=True)
class Audit:
    """What one run audits: the state as of ``as_of``, filed under the ISO week ``audit_week``."""

    as_of: dt.datetime
    audit_week: dt.date
    live: bool

    @property
    def week_label(self) -> str:
        return store.week_label(self.audit_week)


def local_time(instant: dt.datetime | None) -> dt.datetime:
    """An aware instant (e.g. the DAG run's start) as the site's naive local time; None: now."""
    if instant is None:
        return local_now()
    return pendulum.instance(instant).in_timezone(common().timezone).naive().replace(microsecond=0)


def audit_of(
    window: Window,
    settings: SecuritySettings | None = None,
    *,
    anchor: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> Audit:
    """As of the end of the run's window, never later than ``anchor`` (the run's ``run_after``, the
    same for every task of the run, so they all file under one week); a window that ended more
    than ``live_days`` before ``now`` (the real clock) is a backfill of the past: not live."""
    settings = settings or security_settings()
    now = now or local_now()
    as_of = min(window.end, anchor or now)
    live = window.end >= now - dt.timedelta(days=settings.live_days)
    return Audit(as_of=as_of, audit_week=store.week_of(as_of.date()), live=live)


def app_conn_id() -> str:
    return common().connections.ebill_db


def expected_sources(settings: SecuritySettings | None = None) -> list[str]:
    return [f"app:{app_conn_id()}"] + [f"db:{c}" for c in database_conn_ids(settings)]


def _candidates(settings: SecuritySettings, audit: Audit) -> candidates.CandidateSet:
    return candidates.build(settings.weak, as_of_year=audit.as_of.year, site_name=common().site_name)


def _summary(source: str, findings: list[Finding], coverage: dict[str, Any]) -> dict[str, Any]:
    return {
        "source": source,
        **counts(findings),
        "accounts": int(coverage.get("accounts", 0)),
        "hashes_tested": int(coverage.get("hashes_tested", 0)),
        "seconds": round(float(coverage.get("seconds", 0.0)), 3),
    }


def _save(audit: Audit, source: str, run_id: str, findings: list[Finding], coverage: dict[str, Any]) -> None:
    with db.connect(common().connections.ebops_db, read_only=False) as ops:
        store.save_source(
            ops,
            audit_week=audit.audit_week,
            source=source,
            run_id=run_id,
            as_of=audit.as_of,
            findings=findings,
            coverage=coverage,
            audited_at=local_now(),
        )


def audit_app_users(
    audit: Audit, run_id: str, *, conn_id: str | None = None, settings: SecuritySettings | None = None
) -> dict[str, Any]:
    """Application users: weak passwords (offline), weak schemes, locks, expiry, password age."""
    settings = settings or security_settings()
    conn_id = conn_id or app_conn_id()
    source = f"app:{conn_id}"
    started = time.perf_counter()
    shared = _candidates(settings, audit)
    with db.connect(conn_id) as bill:
        users = [app_users.from_row(r) for r in bill.rows("security/app_users")]
    findings, stats = app_users.assess(users, source, audit.as_of, settings.app, shared)
    del users  # the hashes go no further
    findings = accept(findings, settings.accepted, audit.as_of.date())
    coverage = {**stats.row(), "candidates": len(shared.shared), "seconds": time.perf_counter() - started}
    _save(audit, source, run_id, findings, coverage)
    log.info(
        "application users on %s: %d accounts, %d hashes tested (%d hashes computed), %s",
        conn_id,
        stats.accounts,
        stats.hashes_tested,
        stats.hashes_computed,
        counts(findings),
    )
    return _summary(source, findings, coverage)


def audit_database(
    conn_id: str, audit: Audit, run_id: str, *, settings: SecuritySettings | None = None
) -> dict[str, Any]:
    """One database: accounts, default and weak passwords, profiles, authentication rules."""
    settings = settings or security_settings()
    source = f"db:{conn_id}"
    started = time.perf_counter()
    findings: list[Finding] = []
    try:
        shared: candidates.CandidateSet | None = _candidates(settings, audit)
    except candidates.WeakListError as exc:
        # The account and policy checks do not need the list: they still run.
        shared = None
        findings.append(
            Finding(
                source,
                "check_failed",
                "weak_list",
                "warning",
                f"口令未做弱口令比对 role passwords not tested: {exc}",
                "修正 security.weak.list_file 后重跑。 Fix security.weak.list_file, then re-run.",
            )
        )
    # PostgreSQL: autocommit, so a check that fails (and the rollback after it) keeps the session's
    # statement_timeout; the session is read-only. Oracle: a read-only transaction (not autocommit,
    # which would end it at every statement).
    autocommit = db.dialect_of(conn_id) == "postgresql"
    with db.connect(conn_id, read_only=True, autocommit=autocommit) as target:
        _limit_statements(target, settings.database.statement_timeout_seconds)
        ctx = db_accounts.Context(source, target.dialect, audit.as_of, settings.database, shared)
        findings += db_checks.run_checks(target, ctx)
    findings = accept(findings, settings.accepted, audit.as_of.date())
    coverage = {
        **ctx.stats,
        "candidates": len(shared.shared) if shared else 0,
        "seconds": time.perf_counter() - started,
    }
    _save(audit, source, run_id, findings, coverage)
    log.info("database %s: %d accounts, %s", conn_id, ctx.stats["accounts"], counts(findings))
    return _summary(source, findings, coverage)


def _limit_statements(target: db.Db, seconds: int) -> None:
    """No audit query may hang the run: a per-statement limit in either engine."""
    if target.dialect == "postgresql":
        target.execute_sql(f"SET statement_timeout = {int(seconds) * 1000}")
    else:
        target.conn.call_timeout = int(seconds) * 1000


def finish(
    audit: Audit,
    run_id: str,
    *,
    force_mail: bool = False,
    settings: SecuritySettings | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Track incidents, write the report, mail it when something changed (or when asked).

    One ebops transaction from the incident bookkeeping to the mail: when the mail (or the report
    file) fails, nothing is recorded and the retry mails the same news; never a lost alert.
    """
    settings = settings or security_settings()
    with db.connect(common().connections.ebops_db, read_only=False) as ops:
        findings = store.week_findings(ops, audit.audit_week)
        sources = store.week_sources(ops, audit.audit_week)
        trend = store.trend(ops, audit.audit_week, TREND_WEEKS)
        if audit.live:  # the configured sources only (a one-off audit of another connection stays out)
            expected = expected_sources(settings)
            findings = [f for f in findings if f.source in expected]
            sources = [s for s in sources if s["source"] in expected]
        audited = [s["source"] for s in sources]
        # Only what this run audited decides incidents; an earlier run's rows of the week are shown.
        fresh = [s["source"] for s in sources if s["run_id"] == run_id]
        missing = [s for s in expected_sources(settings) if s not in fresh] if audit.live else []
        change: dict[str, list[Finding]] = {"new": [], "recovered": []}
        if audit.live:
            tracked = [f for f in findings if f.source in fresh]
            change = notify.changes(notify.track(ops, tracked, fresh, now=now))
        html_text = report.render(
            audit_week=audit.audit_week,
            week_label=audit.week_label,
            as_of=max((s["as_of"] for s in sources), default=None) or (audit.as_of if audit.live else None),
            findings=findings,
            sources=sources,
            missing_sources=missing,
            changes=change,
            trend=trend,
            live=audit.live,
            run_id=run_id,
            runbook=alerts.runbook_link(DAG_ID),
        )
        url = artifacts.write_text(html_text, "security", f"{audit.week_label}.html")
        totals = counts(findings)
        changed = bool(change["new"] or change["recovered"])
        mailed: list[str] = []
        if force_mail or (audit.live and (changed or settings.mail_when == "always")):
            mailed = notify.mail(
                html_text, week_label=audit.week_label, change=change, totals=totals, report_url=url
            )
    return {
        "week": audit.week_label,
        "audit_week": audit.audit_week.isoformat(),
        "as_of": audit.as_of.isoformat(sep=" "),
        "live": audit.live,
        **totals,
        "new": len(change["new"]),
        "recovered": len(change["recovered"]),
        "sources": fresh,  # audited by this run
        "sources_of_week": audited,
        "missing_sources": missing,
        "findings": notify.finding_rows(ordered(findings)),
        "report_url": url,
        "mailed_to": mailed,
    }
