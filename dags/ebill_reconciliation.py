"""
### 对账 Reconciliation: HIS ↔ bill platform ↔ finance platform, per business day

**What it does.** Every night, for the business day that has just ended (it waits
`recon.settle_delay_minutes`, 120 by default, for late settlements; deferred, no worker held):

1. *HIS ↔ platform, totals first* (先总后细): count and amount (red negative) per business type,
   payment channel, voucher type, direction and issuing point, side by side → `ebops.recon_summary`.
2. *Detail*, record by record, matched on busNo then on bill code + number: one row per difference
   in `ebops.recon_difference` — `missing_in_platform` 平台缺票, `missing_in_his` HIS缺记录,
   `amount_mismatch` 金额不符, `bill_number_mismatch` 票号不符, `check_code_mismatch` 校验码不符,
   `state_mismatch` 状态不符, `duplicate` 重复开票 (and `bus_no_mismatch`). Malformed HIS rows (no
   busNo, amount not a number, unknown channel) go to `ebops.recon_data_error`, never crash the run.
   It compares hash buckets in each database and fetches only what differs, so a year is as safe
   as a day. "Explained" says the differences add up exactly to the totals' gap.
3. *Platform ↔ finance* per issue day: count, amount, archived count from `checkTotalData`, the gap
   linked to the in-transit bills (`ebops.recon_finance`, `ebops.recon_transit`).
4. *Report*: a workbook per day (`artifacts/recon/ebill_recon_<day>.xlsx`) and one mail. It runs
   even when a comparison failed; the leaf `all_compared` then keeps the run *failed* (red), so a
   failed day never looks done.

**Manual run / backfill.** Trigger with `start` (and `end`, the day after the last) for any range,
or `airflow backfill create --dag-id ebill_reconciliation --from-date 2026-11-01 --to-date 2026-11-30`.
A re-run replaces the day's results and keeps every status people set. It only reads HIS and the
platform (read-only connections); it never voids or reverses a bill.

**When it alerts.** One mail when a day stops balancing (differences or data errors), again only
if that day's result changes on a re-run, and once when it balances again. *Critical* when the
differences do not add up to the totals' gap, the detail was refused (`too_many`: a source looks
incomplete) or finance's gap is not the in-transit bills.

**What to do (处理).**
- *Differences*: open the workbook; fix each one at its source (void the HIS record, reverse or
  re-issue the bill, or nothing) — a person decides — then record it:
  `python -m ebill_ops.recon.status set --date <day> --class <class> --key <diff_key> --status explained|resolved --by <name> --reason "<why>"`.
  Re-run the day to confirm the difference is gone.
- *Data errors*: ask the HIS team to correct the settlement (busNo, amount text, channel code);
  an unknown but valid channel belongs in `recon.known_channels`.
- *Finance gap explained by transit*: nothing here; `ebill_finance_sync` repairs those bills.
  *Unexplained*: compare `ebops.recon_finance.note` with the finance bureau.
- *Not explained / too_many*: a source view is incomplete or was loading; check the totals,
  then re-run the day.
- *Task failed* (run red, `all_compared` upstream_failed): a database or finance was unreachable;
  it retried with backoff. Once the source answers, clear the failed task *with downstream* (the
  report then runs again) — it is read-only and safe to repeat. A skipped `report` means
  `reconcile_his` has no result for the day yet: nothing was mailed for it.

**Reads** `his_db`, `ebill_db` (read-only), `finance_gateway`. **Writes** `ebops_db` and the artifacts.
Runbook: docs/runbooks/ebill_reconciliation.md.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.providers.standard.sensors.time_delta import TimeDeltaSensor
from airflow.sdk import CronDataIntervalTimetable, dag, task

from ebill_ops.config import common, section
from ebill_ops.dag_defaults import dag_kwargs
from ebill_ops.intervals import window_params
from ebill_ops.recon.settings import ReconSettings

DAG_ID = "ebill_reconciliation"
CFG = section("recon", ReconSettings)  # a small local file: fine at parse time


def _window(params, data_interval_start, data_interval_end):
    from ebill_ops.intervals import window_from_context

    return window_from_context(params, data_interval_start, data_interval_end, common().timezone)


@dag(
    # A data interval per local day ([D 00:00, D+1 00:00)); "@daily" would give an empty one.
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone=common().timezone),
    params=window_params("Reconciles each day from start to end."),
    # The deadline (common.deadlines_minutes) must leave room for the wait for late settlements.
    **dag_kwargs(DAG_ID, tags=["daily", "reconciliation", "finance", "read-only"], doc_md=__doc__),
)
def ebill_reconciliation():
    wait = TimeDeltaSensor(
        task_id="wait_for_late_settlements",
        delta=timedelta(minutes=CFG.settle_delay_minutes),
        deferrable=True,
        timeout=timedelta(hours=12).total_seconds(),
    )

    @task(pool="ebill_db")
    def reconcile_his(params=None, data_interval_start=None, data_interval_end=None, run_id=None) -> dict:
        """HIS ↔ platform: totals, detail, data errors; each day replaced in ebops."""
        from ebill_ops.recon import run

        return run.reconcile_his(_window(params, data_interval_start, data_interval_end), run_id)

    @task(pool="finance_gateway")
    def reconcile_finance(params=None, data_interval_start=None, data_interval_end=None, run_id=None) -> dict:
        """Platform ↔ finance per issue day, with the in-transit bills that explain the gap."""
        from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

        from ebill_ops.finance.client import FinanceGatewayError, is_retryable
        from ebill_ops.recon import run

        if not CFG.finance:
            raise AirflowSkipException("recon.finance is off")
        try:
            return run.reconcile_finance(_window(params, data_interval_start, data_interval_end), run_id)
        except FinanceGatewayError as exc:
            if is_retryable(exc):
                raise
            raise AirflowFailException(f"finance refused the totals request: {exc}") from exc

    @task(trigger_rule="all_done")
    def report(params=None, data_interval_start=None, data_interval_end=None, run_id=None) -> dict:
        """Workbook per day and one mail; runs even when finance failed (the mail says so)."""
        from airflow.sdk.exceptions import AirflowSkipException

        from ebill_ops.recon import run

        try:
            return run.report(_window(params, data_interval_start, data_interval_end), run_id)
        except run.NotReconciled as exc:
            raise AirflowSkipException(str(exc)) from exc

    # The report runs whatever happened upstream; this leaf keeps the run failed when a comparison
    # failed, so the DAG's success callback never mails a false "recovered" after a failure.
    compared = EmptyOperator(task_id="all_compared", trigger_rule="all_success")
    sides = [reconcile_his(), reconcile_finance()]
    wait >> sides >> report()
    sides >> compared


ebill_reconciliation()
