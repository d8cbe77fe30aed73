"""
### 日常巡检 Daily inspection of servers, database, middleware and application

**What it does.** Every morning at 06:00 (before working hours), in parallel:
hosts over SSH (disk and inode use per filesystem, memory, load, listed services, clock skew),
the database (tablespaces, temp/undo, recovery area, alert-log errors since the last run, invalid
objects, failed jobs, long and blocking sessions, connections, wraparound, size growth,
replication lag, expiring or locked accounts), the middleware and application health endpoints
(HTTP status and latency, versions against the baseline), the application's day (bills issued vs
the same weekday's norm, issuing errors, the in-transit backlog) and the last verified backup.
Each result is a finding in `ebops.inspection_finding` (target, value, threshold, severity,
advice). One HTML report per run (summary on top, critical first, a 30-day trend) is kept under
`artifacts/inspect/` and mailed.

**When it alerts.** A critical finding mails at once — once per incident, not every morning
while it lasts — and mails a recovery notice when it clears. The report mail goes out once per
day (again only if a re-run changes what it says).

**What to do.** Read the report top down; every row carries its advice. Details per check and
the usual fixes: `docs/runbooks/ebill_daily_inspection.md`.
- *Host unreachable*: power, network, sshd, changed host key (the connection pins it).
- *Filesystem / tablespace over threshold*: free or extend before it is full.
- *Blocking session*: find the blocker's transaction; commit, roll back or end it after asking.
- *Backup late or failed*: see `ebill_backup_verify` and its runbook; take a backup now.
- *A check task failed*: the report still goes out and lists it as incomplete; clear the task
  once the system answers — every task is read-only on production and safe to repeat.

**Manual run / backfill.** Trigger with `start` (a date) to inspect the business day `start`;
an older day re-evaluates only the application figures (live checks keep what they saw then).

**Reads** SSH hosts, `ebill_db` (read-only, pg_monitor / SELECT_CATALOG_ROLE), `ebill_app` (HTTP).
**Writes** `ebops_db` only.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import dag, task
from airflow.timetables.trigger import CronTriggerTimetable

from ebill_ops.config import common
from ebill_ops.dag_defaults import dag_kwargs
from ebill_ops.inspect.settings import inspect_settings
from ebill_ops.intervals import window_params

DAG_ID = "ebill_daily_inspection"
_SETTINGS = inspect_settings()  # a small local YAML file: the hosts and databases to fan out over
HOSTS = [h.conn_id for h in _SETTINGS.host.hosts]
DATABASES = list(_SETTINGS.database.conn_ids) or [common().connections.ebill_db]


def _window(params, data_interval_start, data_interval_end):
    from ebill_ops.intervals import window_from_context

    return window_from_context(params, data_interval_start, data_interval_end, common().timezone)


def _live_or_skip(window) -> None:
    from airflow.sdk.exceptions import AirflowSkipException

    from ebill_ops.inspect import run

    if not run.is_live(window, inspect_settings()):
        raise AirflowSkipException("backfill of an earlier day: live systems are not re-inspected")


@dag(
    # Runs at 06:00 for the 24 hours before it (the data interval): the business day just ended.
    schedule=CronTriggerTimetable("0 6 * * *", timezone=common().timezone, interval=timedelta(days=1)),
    params=window_params("The business day to inspect."),
    max_active_tasks=8,
    **dag_kwargs(
        DAG_ID,
        tags=["daily", "inspection", "read-only"],
        doc_md=__doc__,
    ),
)
def ebill_daily_inspection():
    @task
    def check_host(conn_id: str, params=None, data_interval_start=None, data_interval_end=None) -> dict:
        """One host over SSH: disk, inodes, memory, load, services, clock."""
        from ebill_ops.inspect import run

        window = _window(params, data_interval_start, data_interval_end)
        _live_or_skip(window)
        return run.inspect_host(conn_id, window)

    @task
    def check_database(conn_id: str, params=None, data_interval_start=None, data_interval_end=None) -> dict:
        """One database: space, sessions, locks, errors, jobs, accounts, replication."""
        from ebill_ops.inspect import run

        window = _window(params, data_interval_start, data_interval_end)
        _live_or_skip(window)
        return run.inspect_database(conn_id, window)

    @task
    def check_endpoints(params=None, data_interval_start=None, data_interval_end=None) -> dict:
        """Middleware and application health endpoints, versions against the baseline."""
        from ebill_ops.inspect import run

        window = _window(params, data_interval_start, data_interval_end)
        _live_or_skip(window)
        return run.inspect_endpoints(window)

    @task
    def check_backups(params=None, data_interval_start=None, data_interval_end=None) -> dict:
        """Age and verdict of the last verified backup (ebops.backup_catalog)."""
        from ebill_ops.inspect import run

        window = _window(params, data_interval_start, data_interval_end)
        _live_or_skip(window)
        return run.inspect_backups(window)

    @task
    def check_application(params=None, data_interval_start=None, data_interval_end=None) -> dict:
        """The business day: volume vs the weekday norm, issuing errors, in-transit backlog."""
        from ebill_ops.inspect import run

        return run.inspect_application(_window(params, data_interval_start, data_interval_end))

    @task(trigger_rule="all_done")
    def alert_critical(params=None, data_interval_start=None, data_interval_end=None) -> dict:
        """Mail new or worse critical findings now, and recoveries; one mail per incident."""
        from ebill_ops.inspect import run

        return run.alert(_window(params, data_interval_start, data_interval_end))

    @task(trigger_rule="all_done")
    def report(params=None, data_interval_start=None, data_interval_end=None, dag_run=None) -> dict:
        """Render, keep and mail the report; the summary is what the demo prints."""
        from ebill_ops.inspect import run

        window = _window(params, data_interval_start, data_interval_end)
        return run.finish(window, getattr(dag_run, "start_date", None))

    checks = [
        check_host.expand(conn_id=HOSTS),
        check_database.expand(conn_id=DATABASES),
        check_endpoints(),
        check_backups(),
        check_application(),
    ]
    alerted = alert_critical()
    checks >> alerted >> report()
    # The alert and the report run whatever happened before them; this leaf keeps the run failed
    # when a check or the alert failed, so the success callback never mails a false "recovered".
    [*checks, alerted] >> EmptyOperator(task_id="all_checked", trigger_rule="all_success")


ebill_daily_inspection()
