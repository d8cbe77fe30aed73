"""
### 安全审计 Weekly security audit: weak passwords, password policy, locked and expiring accounts

**What it does.** Every Monday at 07:00 (and on a manual trigger):
- *Application users* of the bill platform (`ebill.app_user`): each stored salted hash is tested
  **offline** against the weak-password list (`include/security/weak_passwords.txt`) and the
  patterns people use (the login name, login name + digits, site name + year); weak hash schemes
  (MD5, unsalted); locked users and failed-login bursts (三.1(3)); expired and soon-expiring
  accounts; passwords not changed for 90 days and dormant accounts (listed as info).
- *Database accounts* of each configured database (`security.database.conn_ids`, default
  `ebill_db`): Oracle default passwords (`DBA_USERS_WITH_DEFPWD`), 10G-only verifiers, expired /
  locked accounts, `DBA_PROFILES` limits (lifetime, lockout, verify function), DBA grantees;
  PostgreSQL superusers and powerful roles, expired roles, `password_encryption`, and — when the
  audit account may read them — `pg_hba_file_rules` (trust / clear-text rules) and `pg_shadow`
  (roles without a password, MD5 hashes, weak passwords tested offline).

Findings go to `ebops.security_finding` under the ISO week (a re-run in the same week replaces
them); one HTML report per week is kept under `artifacts/security/`.
**No password and no hash ever appears** in a log, the report, a mail, XCom or ebops: only the
login name and the rule that matched (e.g. "in the weak-password list", "equals the login name").

**When it alerts.** One mail per run when a finding is new, got worse, or cleared (each finding
is an incident: the same weak password is not mailed again next week). A weak password of a
privileged account (e.g. `admin`, a superuser) and an open Oracle account with its default
password are critical. A view the audit account may not read is a warning, not a failure.
When SMTP is down the `report` task fails and its retry sends the same mail (nothing is recorded
as notified until the mail went out).

**What to do.** Details per finding: `docs/runbooks/ebill_security_audit.md`.
- *Weak / default password*: have the owner change it now (never write a password in a ticket or
  mail); for a database account update every application connection that uses it.
- *Locked / failed-login burst*: check identity and the login sources, then unlock or reset.
- *Expired / expiring*: renew through the usual approval, or disable the account.
- *Policy / authentication rule*: change the profile or `pg_hba.conf` in the next change window.
- *Not readable*: grant what the finding names, or accept the gap in `security.accepted`.
- *Untestable hash*: the detail says why (unknown scheme, malformed, too costly); see the runbook.
- *Task failed*: a database was unreachable; the run retries with backoff, the report still
  goes out naming what was not audited, and `fail_if_incomplete` marks the run failed (no second
  mail). Every task is read-only on production and safe to clear and re-run.

**Manual run.** Trigger (optionally with `mail_report` to mail the report even if nothing
changed). A backfill of a past week re-renders that week's stored report: account state is live
and cannot be re-audited.

**Reads** `ebill_db` (read-only; Oracle SELECT_CATALOG_ROLE). **Writes** `ebops_db` only.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import Param, dag, task
from airflow.timetables.trigger import CronTriggerTimetable

from ebill_ops.config import common
from ebill_ops.dag_defaults import dag_kwargs
from ebill_ops.intervals import window_params
from ebill_ops.security.settings import database_conn_ids

DAG_ID = "ebill_security_audit"
DATABASES = database_conn_ids()  # a small local YAML file: the databases to fan out over


def _audit(params, data_interval_start, data_interval_end, dag_run, *, skip_past: bool):
    """The run's audit, anchored at the run's ``run_after`` so every task files under one week."""
    from airflow.sdk.exceptions import AirflowSkipException

    from ebill_ops.intervals import window_from_context
    from ebill_ops.security import run

    window = window_from_context(params, data_interval_start, data_interval_end, common().timezone)
    audit = run.audit_of(window, anchor=run.local_time(getattr(dag_run, "run_after", None)))
    if skip_past and not audit.live:
        raise AirflowSkipException("backfill of a past week: account state is live and is not re-audited")
    return audit


@dag(
    schedule=CronTriggerTimetable("0 7 * * 1", timezone=common().timezone, interval=timedelta(days=7)),
    params={
        **window_params("The audit is as of the end of the window (at most now)."),
        "mail_report": Param(
            False,
            type="boolean",
            description="发送报告 Mail the report even when nothing changed since the last audit",
        ),
    },
    **dag_kwargs(DAG_ID, tags=["weekly", "security", "read-only"], doc_md=__doc__),
)
def ebill_security_audit():
    @task
    def audit_app_users(
        params=None, data_interval_start=None, data_interval_end=None, run_id=None, dag_run=None
    ) -> dict:
        """Application users: weak passwords offline, weak hashes, locks, expiry, password age."""
        from airflow.sdk.exceptions import AirflowFailException

        from ebill_ops.security import run
        from ebill_ops.security.candidates import WeakListError

        audit = _audit(params, data_interval_start, data_interval_end, dag_run, skip_past=True)
        try:
            return run.audit_app_users(audit, run_id)
        except WeakListError as exc:  # a configuration error: retrying will not help
            raise AirflowFailException(str(exc)) from None

    @task
    def audit_database(
        conn_id: str, params=None, data_interval_start=None, data_interval_end=None, run_id=None, dag_run=None
    ) -> dict:
        """One database: accounts, default / weak passwords, profiles, authentication rules."""
        from ebill_ops.security import run

        audit = _audit(params, data_interval_start, data_interval_end, dag_run, skip_past=True)
        return run.audit_database(conn_id, audit, run_id)

    @task(trigger_rule="all_done")
    def report(
        params=None, data_interval_start=None, data_interval_end=None, run_id=None, dag_run=None
    ) -> dict:
        """Incidents, the week's HTML report, one mail when something changed; the run's summary."""
        from ebill_ops.security import run

        audit = _audit(params, data_interval_start, data_interval_end, dag_run, skip_past=False)
        return run.finish(audit, run_id, force_mail=bool((params or {}).get("mail_report")))

    @task(trigger_rule="one_failed")
    def fail_if_incomplete() -> None:
        """Marks the run failed when an audit task failed (the report, which always runs, would
        otherwise leave the run green); that task already mailed, so this sends nothing."""
        from ebill_ops import alerts

        raise alerts.alerted_failure("an audit task failed: this week's audit is incomplete (see the report)")

    audits = [audit_app_users(), audit_database.expand(conn_id=DATABASES)]
    audits >> report()
    audits >> fail_if_incomplete()


ebill_security_audit()
