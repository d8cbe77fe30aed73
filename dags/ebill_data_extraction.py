"""
### 数据提取 Data extraction for auditors and ad-hoc requests (审计取数 / 临时取数)

**What it does.** On demand, runs one predefined, parameterised extraction on the bill platform
(read-only) and writes an Excel workbook: a cover sheet (who asked, who ran it, when, the
parameters, the row count, totals) and one data sheet with Chinese and English headers. Payer
ID numbers are masked except their last 4 characters — in the workbook, the log, XCom and mail.
The workbook goes to the artifacts location (`<artifacts>/extract/<extraction>/`); the last task
returns its URL. Extractions: bills of a period (by business type / issuing point / payment
channel), red bills with their blue bills, bills of one payer, stock movements per point,
audit-period summary — `docs/data-extraction.md` lists their columns.

**Runs.** Manual only: *Trigger DAG* and fill in the form. `start` / `end` are issue times, local;
`end` is exclusive (2026-11-01 → 2026-12-01 is November). `send_mail` mails the link (small files
attached) to `mail_to` (default: the ops list; allowed mail domains only).

**When it alerts.** A failed task mails the usual failure alert; a run not done 60 minutes after
it was queued mails a deadline alert (see the runbook, "deadline").

**What to do.**
- *`check_request` failed*: the task log says which parameter is wrong and why (unknown point,
  window too long, a parameter the extraction does not take, an audit cycle with a wrong period).
  Trigger again with the form corrected; nothing was read. The failure mail goes out once until a
  run succeeds: for a second wrong form read the log.
- *Cover sheet says TRUNCATED*: more rows matched than `extract.max_rows`; split the window or add
  filters and run again — each run writes its own file.
- *`extract` failed*: the database did not answer; it retries with backoff. Clear the task once
  the database is back: it only reads, and a retry rewrites its own file.
- *`deliver` failed*: the workbook exists (URL in the `extract` XCom); clear `deliver` to mail again.

**Reads** `ebill_db` (read-only session). **Writes** only the workbook (artifacts).
Runbook: `docs/runbooks/ebill_data_extraction.md`.
"""

from __future__ import annotations

from airflow.sdk import dag, task

from ebill_ops.dag_defaults import dag_kwargs
from ebill_ops.extract.form import trigger_params

DAG_ID = "ebill_data_extraction"


def _fail_on_bad_request(call, *args, **kwargs):
    """A wrong parameter is a person's fix, not a retry."""
    from airflow.sdk.exceptions import AirflowFailException

    from ebill_ops.extract.request import BadRequest

    try:
        return call(*args, **kwargs)
    except BadRequest as exc:
        raise AirflowFailException(str(exc)) from exc


@dag(
    schedule=None,
    params=trigger_params(),
    **dag_kwargs(DAG_ID, tags=["manual", "extraction", "read-only"], doc_md=__doc__),
)
def ebill_data_extraction():
    @task
    def check_request(params=None) -> dict:
        """The form is complete and consistent; the point / audit cycle it names exist."""
        from ebill_ops.extract import run

        return _fail_on_bad_request(run.check, params)

    @task
    def extract(params=None, run_id=None, dag_run=None) -> dict:
        """Stream the rows into the workbook and write it; returns its URL and row count."""
        from ebill_ops.extract import run

        who = getattr(dag_run, "triggering_user_name", None)
        return _fail_on_bad_request(run.extract, params, run_id=run_id, triggered_by=who)

    @task
    def deliver(result: dict) -> dict:
        """Mail the workbook when the form asked for it; the result (with the URL) is the run's answer."""
        from ebill_ops.extract import run

        return {**result, "mailed_to": run.mail(result)}

    result = extract()
    check_request() >> result
    deliver(result)


ebill_data_extraction()
