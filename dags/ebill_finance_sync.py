"""
### 在途票据补传 Finance sync: repair bills stuck in transit

**What it does.** Every hour, for the bills *issued* in the hour that has just ended (it waits
`transit.allowed_lag_minutes`, 30 by default, so the platform's own uploader has had its chance):
finds the bills signed but not supervised (未监制) or supervised but not archived (未归档), checks
that the finance platform answers, then asks finance about each bill, uploads the ones it does not
hold and archives them, in batches of at most 200, a few requests at a time, at a limited rate.
Every call is written to the ledger `ebops.transit_bill` / `ebops.transit_attempt` *before* it is
sent, so a killed worker never causes a second upload: the next run asks finance what happened.
The repair is recorded on the platform (`ebill.bill.upload_time / supervise_time / archive_time`,
the only columns ebill-ops may write there), and the run checks that finance and the platform
agree per issue date (`ebops.transit_day_balance`). Open bills of earlier hours (left by a failed
run, or rejected and still within their retry budget) are taken along.

**After a finance outage: backfill the outage window.** This is the documented repair
(docs/runbook-finance-outage.md):
`airflow backfill create --dag-id ebill_finance_sync --from-date 2026-11-29T10:00:00+08:00 --to-date 2026-11-29T12:00:00+08:00 --reprocess-behavior failed`
or a manual run with `start` / `end` (local date or date-time). Re-running is always safe.

**When it alerts.**
- *check_finance failed* (财政平台不可达): the gateway did not answer after a few quick retries;
  the run stops without sending anything. The bills wait in the ledger.
- *Bills given up* (重试用尽): finance refused a bill (E2001 bad data, E2002 conflict) on
  `transit.retry_budget` tries; the mail names each bill once.
- *Days that do not balance* (不平): after the sync, finance's count / amount / archived count of
  an issue date differ from the platform's; one mail when it starts, one when it is fixed.

**What to do.**
- *Finance unreachable*: check the front-end machine (前置机) and the finance private network; the
  `ebill_interface_monitor` DAG shows since when `finance_upload` fails. When it answers again,
  backfill the failed hours (command above) and check `ebops.transit_run` and the balance table.
- *resync failed with "in flight"*: a worker died mid-request; the retry asks finance after the
  grace period. Nothing to do unless it keeps failing.
- *Bill given up*: fix the bill on the platform (the next run sees the change and tries again), or
  trigger with `reset_budget` and the bill's window. E2002 needs a decision with the finance bureau.
- *Not balanced*: see the mail; re-run the day; then the reconciliation DAG for the detail.

**Writes** the bill platform (three time columns only), `ebops`, and finance (uploads, archives).
Pools: `ebill_db` (platform queries and writes), `finance_gateway` (calls to finance).
Runbook: docs/runbooks/ebill_finance_sync.md.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import dag, task
from airflow.timetables.interval import CronDataIntervalTimetable

from ebill_ops.config import common, section
from ebill_ops.dag_defaults import dag_kwargs
from ebill_ops.transit.dag_params import trigger_params
from ebill_ops.transit.sensor import WaitForWindowLag
from ebill_ops.transit.settings import TransitSettings

DAG_ID = "ebill_finance_sync"
CFG = section("transit", TransitSettings)  # a small local file: fine at parse time
POOL_DB = "ebill_db"
POOL_FINANCE = "finance_gateway"


def _window(params, data_interval_start, data_interval_end):
    from ebill_ops.intervals import window_from_context

    return window_from_context(params, data_interval_start, data_interval_end, common().timezone)


def _as_airflow_error(exc: BaseException, message: str) -> BaseException:
    """Retry what may pass later (outage, busy, in flight); fail fast on what cannot (bad key, ...)."""
    from airflow.sdk.exceptions import AirflowException, AirflowFailException

    retryable = getattr(exc, "retryable", False)
    return AirflowException(message) if retryable else AirflowFailException(message)


@dag(
    schedule=CronDataIntervalTimetable("0 * * * *", timezone=common().timezone),
    params=trigger_params(),
    **dag_kwargs(DAG_ID, tags=["hourly", "finance", "writes-production"], doc_md=__doc__),
)
def ebill_finance_sync():
    wait_for_lag = WaitForWindowLag(
        task_id="wait_for_lag",
        delta=timedelta(minutes=CFG.allowed_lag_minutes),
        deferrable=True,
        timeout=int(timedelta(hours=3).total_seconds()),
    )

    @task(pool=POOL_DB)
    def find_stuck(params=None, data_interval_start=None, data_interval_end=None, run_id=None) -> dict:
        """Bills of the window still in transit past the lag, recorded in the ledger."""
        from ebill_ops.transit import run

        window = _window(params, data_interval_start, data_interval_end)
        started = pendulum.now(common().timezone).naive().replace(microsecond=0).isoformat(sep=" ")
        summary = run.find_stuck(
            window, run_id=run_id, dry_run=bool(params["dry_run"]), reset_budget=bool(params["reset_budget"])
        )
        return {**summary, "started_at": started}

    @task(
        pool=POOL_FINANCE,
        retries=CFG.reachability_retries,
        retry_delay=timedelta(seconds=CFG.reachability_retry_delay_seconds),
    )
    def check_finance(found: dict) -> dict:
        """Fail fast, with a clear message, when the finance platform does not answer."""
        from ebill_ops.finance.client import FinanceGatewayError
        from ebill_ops.transit import run

        try:
            return run.check_finance()
        except FinanceGatewayError as exc:
            raise _as_airflow_error(exc, run.unreachable_message(exc, found)) from exc

    @task(pool=POOL_FINANCE)
    def resync(reachable: dict, params=None, data_interval_start=None, data_interval_end=None, run_id=None):
        """Query, upload, archive; every attempt in the ledger before it leaves."""
        from ebill_ops.finance.client import FinanceGatewayError
        from ebill_ops.transit import run

        if params["dry_run"]:
            return {"dry_run": True}
        window = _window(params, data_interval_start, data_interval_end)
        try:
            return run.resync(window, run_id=run_id)
        except (FinanceGatewayError, run.InFlightWithinGrace) as exc:
            raise _as_airflow_error(exc, f"resync stopped: {exc}") from exc

    @task(pool=POOL_DB)
    def record_on_platform(synced: dict, params=None, run_id=None) -> dict:
        """Write finance's times on ebill.bill for the repaired bills."""
        from ebill_ops.transit import run

        if params["dry_run"]:
            return {"dry_run": True}
        return run.record_on_platform(run_id)

    @task(pool=POOL_DB)
    def verify(applied: dict, params=None, data_interval_start=None, data_interval_end=None) -> dict:
        """Finance and the platform agree per issue date (count, amount, archived)."""
        from ebill_ops.transit import run

        if params["dry_run"]:
            return {"dry_run": True}
        return run.verify(_window(params, data_interval_start, data_interval_end))

    @task
    def finish(
        found,
        synced,
        applied,
        verified,
        params=None,
        data_interval_start=None,
        data_interval_end=None,
        run_id=None,
    ):
        """Name bills given up, keep the run's row in ebops.transit_run, return the summary."""
        import datetime as dt

        from ebill_ops.transit import run

        return run.finish(
            _window(params, data_interval_start, data_interval_end),
            run_id=run_id,
            started_at=dt.datetime.fromisoformat(found["started_at"]),
            found=found,
            synced=synced,
            applied=applied,
            verified=verified,
            dry_run=bool(params["dry_run"]),
        )

    found = find_stuck()
    wait_for_lag >> found
    reachable = check_finance(found)
    synced = resync(reachable)
    applied = record_on_platform(synced)
    verified = verify(applied)
    finish(found, synced, applied, verified)


ebill_finance_sync()
