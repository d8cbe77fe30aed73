"""
### 年末工作 Year-end work: tablespace, partitions, compression, layout files, readiness

**What it does.** Plans next year's database work from the live dictionary — the year's
tablespace, next year's partitions of `bill`, `bill_item`, `bill_payment` (interval-partitioned
tables need none), compression of partitions older than two years (`ROW STORE COMPRESS BASIC ...
UPDATE INDEXES`; PostgreSQL: rewrite densely and freeze), old tablespaces read-only where
configured — plans the archiving of layout files (PDF/OFD) older than two years, and checks that
next year's bill codes, stock at every active issuing point and audit deadlines are in place.
The plan is a report (log, file, mail) with a **digest**. Steps already done are skipped.

**Runs.** Scheduled 1 December 09:00 as a **dry run**: nothing changes. To apply, trigger with
`mode = apply` and either `approved_plan = <digest>` from the report you read (applies exactly that
plan, or nothing if the database changed since), or no digest and **approve in the UI** (Required
Actions). `parts` limits the run to `database` or `layout`; `target_year` defaults to next year.

**When it alerts.** The review mail is an alert when a readiness check fails (missing bill codes
or stock for 1 January, overdue audit, missing partitions). Apply and verification send their
result; a failed statement, a failed check or a damaged archive is critical.

**What to do.**
- *Readiness fails*: bill codes → ask the finance bureau for next year's codes; stock → hand
  number ranges down (下发) to the listed points; overdue audit → submit it now.
- *A statement failed*: the mail names it, the error and what remains; what ran stays applied.
  Fix the cause (space, lock, privilege), run again: the plan contains only what is left.
- *Verification failed*: see the failed check (bounds, unusable index → `ALTER INDEX ... REBUILD
  PARTITION`, row count) before anyone relies on the new partitions.
- *Damaged archive*: the originals were kept and the index untouched; run again (the archive is
  rebuilt and read back again); if it repeats, check the file server's disk.
- *Plan digest mismatch*: the database changed since the report; read the new report, approve it.

Reads the dictionary with `ebill_dba`; writes DDL with `ebill_dba` only after approval; updates
the layout-file index; keeps its ledger in `ebops_db`. Runbook: `docs/runbooks/ebill_year_end.md`.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.providers.standard.operators.hitl import ApprovalOperator
from airflow.sdk import Param, dag, task
from airflow.timetables.trigger import CronTriggerTimetable

from ebill_ops.config import common, section
from ebill_ops.dag_defaults import dag_kwargs
from ebill_ops.intervals import window_params
from ebill_ops.yearend.settings import YearEndSettings

DAG_ID = "ebill_year_end"
_approval = section("yearend", YearEndSettings).approval


@dag(
    schedule=CronTriggerTimetable("0 9 1 12 *", timezone=common().timezone),
    params={
        **window_params("As-of day of the plan; the target year is the next year."),
        "target_year": Param(
            None,
            type=["null", "integer"],
            minimum=2000,
            maximum=2100,
            description="目标年度 Target year (empty: next year)",
        ),
        "mode": Param(
            "dry_run",
            enum=["dry_run", "apply"],
            description="dry_run 演练 (default: change nothing) | apply 执行 (needs approval)",
        ),
        "approved_plan": Param(
            None,
            type=["null", "string"],
            description="已审阅的计划摘要 Digest of the plan you reviewed: with mode=apply, applies exactly that plan",
        ),
        "parts": Param(
            ["database", "layout"],
            type="array",
            items={"type": "string", "enum": ["database", "layout"]},
            description="范围 What to do: database (DDL) and/or layout (archive old layout files)",
        ),
    },
    **dag_kwargs(DAG_ID, tags=["yearly", "year-end", "writes-production"], doc_md=__doc__),
)
def ebill_year_end():
    @task
    def plan(params=None, data_interval_start=None, data_interval_end=None, run_id=None) -> dict:
        """Plan DDL and layout archiving for the target year; check readiness; keep the plan."""
        from airflow.sdk.exceptions import AirflowFailException

        from ebill_ops.intervals import window_from_context
        from ebill_ops.yearend import run

        try:
            as_of = window_from_context(
                params, data_interval_start, data_interval_end, common().timezone
            ).start.date()
            target_year, parts = run.target_of(params, as_of), run.parts_of(params)
            run.settings()  # a wrong setting is a person's fix, not a retry
        except ValueError as exc:
            raise AirflowFailException(str(exc)) from exc
        mode = (params or {}).get("mode") or "dry_run"
        return run.make_plan(target_year=target_year, as_of=as_of, parts=parts, mode=mode, run_id=run_id)

    @task
    def review(summary: dict) -> dict:
        """The plan as a readable report: in the log (plan task), as a file, and by mail."""
        from ebill_ops.yearend import run

        return {**summary, "mailed": run.mail_review(summary)}

    @task.branch
    def gate(summary: dict, params=None) -> list[str]:
        """Dry run: nothing. apply + matching digest: go. apply without digest: wait for a person."""
        from airflow.sdk.exceptions import AirflowFailException

        from ebill_ops.yearend import run

        try:
            decision = run.gate(summary, params)
        except run.NotApproved as exc:
            raise AirflowFailException(str(exc)) from exc
        return {"form": ["approved_in_form"], "ui": ["approve"]}.get(decision or "", [])

    approved_in_form = EmptyOperator(task_id="approved_in_form")
    # Joins the two ways to approve; skipped (and so is everything after it) when neither ran.
    approved = EmptyOperator(task_id="approved", trigger_rule="none_failed_min_one_success")
    approve = ApprovalOperator(
        task_id="approve",
        subject="年末计划审批 Approve the year-end plan {{ ti.xcom_pull(task_ids='plan')['target_year'] }} "
        "({{ ti.xcom_pull(task_ids='plan')['digest'] }})",
        body="{{ ti.xcom_pull(task_ids='review')['markdown'] }}",
        defaults="Reject",
        response_timeout=timedelta(hours=_approval.timeout_hours),
        assigned_users=[{"id": u, "name": u} for u in _approval.approvers] or None,
    )

    @task
    def apply_database(summary: dict, params=None, ti=None, dag_run=None, run_id=None) -> dict:
        """Run the reviewed statements one by one; stop at the first error."""
        from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

        from ebill_ops import alerts
        from ebill_ops.yearend import run

        if "database" not in summary["parts"]:
            raise AirflowSkipException("database not in parts")
        approval = ti.xcom_pull(task_ids="approve")
        who = run.approver(approval, getattr(dag_run, "triggering_user_name", None))
        try:
            outcome = run.apply_database(summary, approved_by=who, run_id=run_id)
        except run.applying.PlanChanged as exc:
            raise AirflowFailException(str(exc)) from exc
        if outcome["failed"]:
            failed = outcome["failed"]
            raise alerts.alerted_failure(  # the result mail went out already
                f"stopped at {failed['step_id']}: {failed['error'][:300]}; not run: {', '.join(outcome['remaining'])}"
            )
        return outcome

    @task
    def verify_database(summary: dict, outcome: dict, run_id=None) -> dict:
        """Partitions with the right bounds, indexes usable, compression set, row counts unchanged."""
        from ebill_ops import alerts
        from ebill_ops.yearend import run

        result = run.verify_database(summary, outcome, run_id=run_id)
        if result["failed_checks"]:
            raise alerts.alerted_failure("verification failed: " + "; ".join(result["failed_checks"])[:500])
        return result

    @task
    def pack_layout(summary: dict, run_id=None) -> dict:
        """Archive each old period's layout files with a manifest; removes nothing yet."""
        from airflow.sdk.exceptions import AirflowSkipException

        from ebill_ops.yearend import run

        if "layout" not in summary["parts"]:
            raise AirflowSkipException("layout not in parts")
        return run.pack_layout(summary, run_id=run_id)

    @task
    def release_layout(summary: dict, packed: dict, run_id=None) -> dict:
        """Read every archive back; only then index it and remove the originals."""
        from ebill_ops import alerts
        from ebill_ops.yearend import run

        result = run.release_layout(summary, packed, run_id=run_id)
        if result["corrupt"]:
            raise alerts.alerted_failure(
                f"damaged archive(s), originals kept: {', '.join(result['corrupt'])}"
            )
        return result

    @task(trigger_rule="none_failed")
    def finish(summary: dict, ti=None) -> dict:
        """What this run found and did, for the UI and the demo."""
        verified = ti.xcom_pull(task_ids="verify_database")
        released = ti.xcom_pull(task_ids="release_layout")
        return {
            "target_year": summary["target_year"],
            "digest": summary["digest"],
            "mode": summary["mode"],
            "statements_planned": summary["statements"],
            "layout_files_planned": summary["layout_files"],
            "readiness_failed": summary["readiness_failed"],
            "applied_statements": (verified or {}).get("applied_statements", 0),
            "layout_released": (released or {}).get("released", 0),
            "report_url": summary["report_url"],
        }

    planned = plan()
    reviewed = review(planned)
    decision = gate(reviewed)
    decision >> [approved_in_form, approve] >> approved
    applied = apply_database(reviewed)
    packed = pack_layout(reviewed)
    approved >> [applied, packed]
    verified = verify_database(reviewed, applied)
    released = release_layout(reviewed, packed)
    [verified, released] >> finish(reviewed)


ebill_year_end()
