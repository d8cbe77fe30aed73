"""
### 备份与校验 Backup of the core data and its verification

**What it does.** Every night at 01:30: backs up the bill platform's core tables the way the site
configures it (`backup.method`: PostgreSQL `pg_dump` custom format in one snapshot; Oracle RMAN or
Data Pump over SSH), catalogues the file with its SHA-256 and the source's rows / amounts per
table in `ebops.backup_catalog`, then proves it: the file is there, of the usual size order,
unchanged since it was written (checksum), readable (`pg_restore --list`), and a **test restore**
into a scratch database (`ebops_restore_*`, dropped afterwards) holds the same rows, amount totals
and content hash per table as the source had (`ebops.backup_table_check`). Oracle: `VALIDATE
BACKUPSET` + `RESTORE DATABASE VALIDATE`, or a Data Pump test import into a scratch schema.
Retention (`backup.retention`) removes old files it catalogued, never the newest verified ones.

**When it alerts.** A missing, truncated, corrupt or unrestorable backup is critical: one mail at
once (and the run turns red), one recovery notice when a later backup verifies again. The daily
inspection also reports the age of the last verified backup every morning.

**What to do.**
- *take_backup failed*: read the log (disk full? credentials? server down?), fix, clear the task.
- *Checksum mismatch / truncated*: the file changed after it was written — storage or copying is
  at fault. Take a new backup now (clear `take_backup`), then look at the disk.
- *Restore or table check failed*: the backup cannot be trusted. Take a new one; if it fails the
  same way, compare `ebops.backup_table_check` with the source and escalate to the DBA.
- *Re-verify an older backup*: trigger with `start` = that day (or `verify_only`): no new backup
  is taken for a past day; the catalogued one is checked again.

**Reads** `ebill_dba` (the dump; the scratch database needs CREATEDB). **Writes** backup files,
the scratch database, and `ebops_db`. Never writes the platform's own tables.
"""

from __future__ import annotations

from airflow.sdk import Param, dag, task
from airflow.timetables.trigger import CronTriggerTimetable

from ebill_ops.config import common
from ebill_ops.dag_defaults import dag_kwargs
from ebill_ops.intervals import window_params

DAG_ID = "ebill_backup_verify"


def _backup_date(params, data_interval_start, data_interval_end):
    from ebill_ops.intervals import window_from_context

    return window_from_context(params, data_interval_start, data_interval_end, common().timezone).start.date()


@dag(
    schedule=CronTriggerTimetable("30 1 * * *", timezone=common().timezone),
    params={
        **window_params("The backup day (an earlier day is only re-verified)."),
        "verify_only": Param(
            False, type="boolean", description="只校验 Verify the catalogued backup, take none"
        ),
    },
    **dag_kwargs(
        DAG_ID,
        tags=["daily", "backup"],
        doc_md=__doc__,
    ),
)
def ebill_backup_verify():
    @task
    def take_backup(params=None, data_interval_start=None, data_interval_end=None) -> dict:
        """Back up the core data now and catalogue it with its checksum."""
        from airflow.sdk.exceptions import AirflowSkipException

        from ebill_ops.backup import run

        day = _backup_date(params, data_interval_start, data_interval_end)
        if (params or {}).get("verify_only") or not run.is_current(day):
            raise AirflowSkipException(f"verify only: no new backup is taken for {day}")
        return run.take(day)

    @task(trigger_rule="none_failed")
    def verify_backup(params=None, data_interval_start=None, data_interval_end=None) -> dict:
        """File, size order, checksum, TOC, test restore, rows / amounts / hash per table."""
        from ebill_ops.backup import run

        return run.verify(_backup_date(params, data_interval_start, data_interval_end))

    @task(trigger_rule="none_failed")
    def apply_retention(params=None, data_interval_start=None, data_interval_end=None) -> dict:
        """Remove catalogued files past retention; the newest verified ones always stay."""
        from ebill_ops.backup import run

        return run.prune(_backup_date(params, data_interval_start, data_interval_end))

    @task(trigger_rule="none_failed")
    def conclude(verification: dict, ti=None) -> dict:
        """Alert once on a failed verification (or mail its recovery); the summary the demo prints."""
        from ebill_ops.backup import run

        return run.conclude(
            verification,
            ti.xcom_pull(task_ids="take_backup"),
            ti.xcom_pull(task_ids="apply_retention"),
        )

    verified = verify_backup()
    pruned = apply_retention()
    take_backup() >> verified >> pruned
    pruned >> conclude(verified)


ebill_backup_verify()
