"""
### 性能优化建议 Performance advisor (weekly)

**What it does.** Every Monday 07:00 it looks at the past week (Monday to Sunday, local days):
- *Top SQL* 高耗时语句: PostgreSQL `pg_stat_statements`, Oracle `V$SQLSTATS` (no AWR/ASH, so no
  Diagnostics Pack), as this week's difference to last week's snapshot, ranked by time, with
  advice read from the figures (spills, full scans, physical reads, chatty calls). SQL text is
  redacted (literals, passwords) before it is stored or mailed.
- *Stale statistics* 统计信息过期: `pg_stat_user_tables` (rows changed since the last analyze;
  partitioned parents, which autovacuum never analyzes) / `DBA_TAB_STATISTICS.STALE_STATS`.
- *Bloat / fragmentation* 表膨胀与碎片 (estimates from the statistics; PostgreSQL dead rows).
- *Index hints* 索引建议: unused indexes; big tables read whole often (a missing index).
- *Slow interfaces* 接口慢: p95 per interface and service over the week, and the windows in which
  an interface was slow, from `interface_call_log` (thresholds of the interface monitor).
Each is a finding with advice (Chinese and English) in `ebops.perf_finding`, keyed by week and
source: a re-run replaces. One HTML report per week (`<artifacts>/perf/perf_<week>.html`), mailed
once per content. A view the account cannot read becomes a finding naming the grant it needs.

**Manual run / backfill.** `start` (a date; `end` defaults to start + 7 days). For a week that
ended more than `perf.live_days` ago, or one followed by a recorded week, only the interface log
is re-evaluated: the database views show the database now, so the database findings recorded
that week (and the top-SQL snapshot the next week is measured from) are kept.

**When it alerts.** The weekly report mail (subject *ALERT* when something is critical). A failed
task mails the usual failure alert.

**What to do.** Work down "To look at" with the DBA in the next maintenance window; every row
carries its advice. Try commands on pre-production first — the advisor itself changes nothing.
- *A check is "not readable"*: grant what the row names (PostgreSQL `pg_monitor`, the
  `pg_stat_statements` extension; Oracle `SELECT_CATALOG_ROLE`), then clear the task.
- *A database is "not reachable" (check `connect`)*: fix the connection or the account, then
  clear `check_database` for it.
- *A task failed*: ebops or SMTP did not answer (or, in `check_database`, an assessment raised:
  the traceback names it); it retries with backoff. Clear it once they answer: everything is
  read-only except the advisor's own ebops rows, which it replaces. A failed check is named in
  the report; once cleared, the complete report is mailed.

**Reads** `ebill_db` (read-only; pg_monitor / SELECT_CATALOG_ROLE). **Writes** `ebops_db` only.
Runbook: `docs/runbooks/ebill_performance_advisor.md`.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import dag, task
from airflow.timetables.trigger import CronTriggerTimetable

from ebill_ops.config import common
from ebill_ops.dag_defaults import dag_kwargs
from ebill_ops.intervals import window_params
from ebill_ops.perf.settings import conn_ids

DAG_ID = "ebill_performance_advisor"
DATABASES = conn_ids()  # a small local YAML file: the databases to advise on


@dag(
    schedule=CronTriggerTimetable("0 7 * * 1", timezone=common().timezone, interval=timedelta(days=7)),
    params=window_params("The week analysed starts here (end: start + 7 days)."),
    **dag_kwargs(DAG_ID, tags=["weekly", "performance", "read-only"], doc_md=__doc__),
)
def ebill_performance_advisor():
    @task
    def check_database(conn_id: str, params=None, data_interval_start=None, data_interval_end=None) -> dict:
        """Top SQL, statistics, bloat and index hints of one database for the week."""
        from ebill_ops.perf import run

        return run.check_database(conn_id, run.week_of(params, data_interval_start, data_interval_end))

    @task
    def check_interfaces(params=None, data_interval_start=None, data_interval_end=None) -> dict:
        """p95 per interface and service over the week, and its slow windows."""
        from ebill_ops.perf import run

        return run.check_interfaces(run.week_of(params, data_interval_start, data_interval_end))

    @task(trigger_rule="all_done")
    def report(params=None, data_interval_start=None, data_interval_end=None, run_id=None, ti=None) -> dict:
        """The week's report from every finding recorded; kept and mailed once per content.

        Runs even when a check failed (the report says which), then fails the run so the UI shows it.
        """
        from ebill_ops import alerts
        from ebill_ops.perf import run

        window = run.week_of(params, data_interval_start, data_interval_end)
        missing = run.incomplete(
            DATABASES, ti.xcom_pull(task_ids=["check_database"]), ti.xcom_pull(task_ids="check_interfaces")
        )
        summary = run.make_report(window, run_id=run_id, missing=missing)
        if missing:  # each failed check mailed its own failure; the report mail says what is missing
            raise alerts.alerted_failure(f"report sent without: {', '.join(missing)}")
        return summary

    checks = [check_database.expand(conn_id=DATABASES), check_interfaces()]
    checks >> report()
    # The report runs whatever happened to the checks; this leaf keeps the run failed when one failed.
    checks >> EmptyOperator(task_id="all_checked", trigger_rule="all_success")


ebill_performance_advisor()
