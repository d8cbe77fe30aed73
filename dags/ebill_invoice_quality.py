"""
### 票据质量检查 Invoice quality (invoice-spec rules with Great Expectations)

**What it does.** Every night, for the business day that just ended (each bill's day is its
business time), every bill is checked against the invoice-spec rules (票据数据规范): formats of
code, number and check code; payer present; issue time after business time, not in the future,
business time plausible; inpatient and outpatient fields; payment split and channels balance
the total; items (amount = price x quantity, sortNo 1..n, no zero amounts, no negative prices,
charge codes, sum = total); red bills (point at an existing blue bill of the same amount, at
most one per blue bill). The rules are a Great Expectations suite; on PostgreSQL it runs in the database, on
Oracle per-bill rows are validated in chunks. Results:
`ebops.quality_failure` (one row per day, rule and bill), `ebops.quality_pass_rate` (pass rate
per rule per day), GX **Data Docs** and an Excel **fix list** (one sheet per failing rule) under
the artifacts location. A re-run of a day replaces that day's rows.

**Manual run / re-check.** Trigger with `start` (and `end`, the day after the last day) to check
any range — e.g. after the vendor corrected bills, or the periodic audit re-check.

**When it alerts.** One mail per day when rules fail (critical or warning), again only when it
gets worse, and one when a re-check passes. A failing **critical** rule fails the
`enforce_severity` task after everything was recorded and mailed; warnings never fail the run.

**What to do.**
- *Rules failed*: forward the fix list (整改清单) to the vendor; each sheet says what to correct.
  After the correction, re-run the day (Clear `validate_day`, or trigger with `start`): a clean
  re-check closes the alert.
- *`error` status on a rule*: GX could not evaluate it (see the task log); the other rules were
  still checked. Check the rule's settings in `quality.rules`.
- *Task failed otherwise*: the database was unreachable or too slow (retries with backoff);
  reading is read-only and a re-run is safe. See docs/runbooks/ebill_invoice_quality.md.

**Reads** `ebill_db` (read-only session). **Writes** `ebops_db` and the artifacts location only.
"""

from __future__ import annotations

from airflow.sdk import dag, task
from airflow.timetables.interval import CronDataIntervalTimetable

from ebill_ops.config import common
from ebill_ops.dag_defaults import dag_kwargs
from ebill_ops.intervals import window_params


@dag(
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone=common().timezone),
    params=window_params("Each business day in the range is checked on its own."),
    **dag_kwargs("ebill_invoice_quality", tags=["daily", "quality", "read-only"], doc_md=__doc__),
)
def ebill_invoice_quality():
    @task.sensor(poke_interval=300, timeout=6 * 3600, mode="reschedule")
    def wait_for_day_end(params=None, data_interval_start=None, data_interval_end=None):
        """The day's late bills settle for ``quality.settle_minutes`` after midnight."""
        from airflow.sdk import PokeReturnValue

        from ebill_ops.intervals import window_from_context
        from ebill_ops.quality import run

        window = window_from_context(params, data_interval_start, data_interval_end, common().timezone)
        ready = run.settled(window, manual=bool((params or {}).get("start")))
        span = {"start": window.start.isoformat(), "end": window.end.isoformat()}
        return PokeReturnValue(is_done=ready, xcom_value=span)

    @task
    def validate_day(window: dict, run_id=None) -> dict:
        """Every rule over every bill of the window's days; failures and pass rates into ebops."""
        from ebill_ops.quality import run

        return run.validate(run.window_of(window), run_id=run_id)

    @task
    def write_fix_list(summary: dict) -> str | None:
        from ebill_ops.quality import run

        return run.fix_list(summary)

    @task
    def mail_report(summary: dict, fix_list: str | None, run_id=None) -> dict:
        from ebill_ops.quality import run

        return run.notify(summary, fix_list, run_id=run_id)

    @task
    def enforce_severity(summary: dict, notified: dict) -> dict:
        """Fails (no retry) when a critical rule failed; the last task's summary otherwise."""
        from ebill_ops.quality import run

        return run.enforce(summary, notified)

    summary = validate_day(wait_for_day_end())
    fix_list = write_fix_list(summary)
    enforce_severity(summary, mail_report(summary, fix_list))


ebill_invoice_quality()
