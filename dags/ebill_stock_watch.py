"""
### 号段库存与审验期限 Stock watch and audit deadlines

**What it does.** Every morning, for each active issuing point (开票点) and bill code of the year:
unused numbers left, the consumption rate over the last 30 days, days of stock left; and every
open audit cycle (审验) with its deadline, overdue ones included. Results go to `ebops.stock_status`
and `ebops.audit_deadline_status` (one row per check date; a re-run replaces the day).

**Manual run.** Trigger with `start` (a date) to check as of that day.

**When it alerts.** At most one mail per check day when a point is below its warning level, has
no stock of a kind it issues, or will run out before new stock can arrive (lead time), and within
30 days of an audit deadline (critical inside the last 7 days and once overdue). A re-run of the
day mails again only if the day got worse; a failed mail is sent by the retry.

**What to do.**
- *Low stock*: request a new number range (申领号段) for the point from the finance bureau and hand
  it down (下发) to the point; check `ebops.stock_status` the next day.
- *Audit deadline*: prepare the audit material; submit before the deadline — a missed deadline
  (`已逾期 OVERDUE`) blocks issuing: submit at once.
- *Task failed*: the platform database was unreachable; the run retries with backoff. Re-run the
  day from the UI (Clear) once the database answers; it is read-only and safe to repeat.

**Reads** `ebill_db` (read-only). **Writes** `ebops_db` only. Runbook:
`docs/runbooks/ebill_stock_watch.md`.
"""

from __future__ import annotations

from airflow.sdk import dag, task
from airflow.timetables.trigger import CronTriggerTimetable

from ebill_ops.config import common
from ebill_ops.dag_defaults import dag_kwargs
from ebill_ops.intervals import window_params


@dag(
    schedule=CronTriggerTimetable("30 6 * * *", timezone=common().timezone),
    params=window_params("The check is as of the first day."),
    **dag_kwargs("ebill_stock_watch", tags=["daily", "stock", "read-only"], doc_md=__doc__),
)
def ebill_stock_watch():
    @task
    def check_stock(params=None, data_interval_start=None, data_interval_end=None) -> dict:
        """Assess stock and audit deadlines as of the run's local day; keep the result."""
        from ebill_ops.intervals import window_from_context
        from ebill_ops.stock import run

        window = window_from_context(params, data_interval_start, data_interval_end, common().timezone)
        check_date = window.start.date()
        stock, audits = run.check(check_date)
        run.save(check_date, stock, audits)
        return run.summarize(check_date, stock, audits)

    @task
    def alert(summary: dict) -> dict:
        from ebill_ops.stock import run

        return {**summary, "mailed": run.notify(summary)}

    alert(check_stock())


ebill_stock_watch()
