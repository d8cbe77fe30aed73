"""The two DAGs end to end with ``dag.test()`` on the sandbox: a healthy hospital gives a backup
that verifies and a morning inspection without a single critical finding, one report mail."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from ebill_ops import db

pytestmark = pytest.mark.e2e


def _last_day(manifest) -> dt.date:
    return dt.date.fromisoformat(manifest["generator"]["start"]) + dt.timedelta(
        days=manifest["generator"]["days"] - 1
    )


def _subjects(sandbox) -> list[str]:
    from sandbox import smtp_sink

    return [str(m["Subject"]) for m in smtp_sink.messages(sandbox)]


def test_healthy_sandbox_backup_then_inspection_has_no_critical(run_dag, sandbox, manifest):
    from sandbox import smtp_sink

    today = dt.date.today()
    dagrun, xcom = run_dag("ebill_backup_verify", today, start=today.isoformat())
    assert dagrun.state == "success"
    backup = xcom("conclude")
    assert backup["status"] == "verified" and all(backup["tables"].values())
    assert "ebops.backup_catalog" in backup["catalog"] and backup["file_url"].endswith(".dump")

    smtp_sink.clear(sandbox)
    last = _last_day(manifest)
    dagrun, xcom = run_dag("ebill_daily_inspection", last, start=last.isoformat())
    assert dagrun.state == "success"
    summary = xcom("report")
    assert summary["critical"] == 0, summary["critical_findings"]
    assert summary["live"] is True and summary["incomplete_checks"] == []
    assert summary["ok"] > 30 and summary["check_date"] == (last + dt.timedelta(days=1)).isoformat()
    report_file = Path(urlsplit(summary["report_url"]).path)
    html_text = report_file.read_text(encoding="utf-8")
    assert "日常巡检报告 Daily inspection report" in html_text and "ebops.backup_catalog" in html_text
    assert summary["backup_catalog"].startswith("ebops_db")
    mails = smtp_sink.wait_for(sandbox, lambda m: "日常巡检" in m["Subject"], timeout=30)
    assert len(mails) == 1
    mail = mails[0]
    assert "ebill-ops@hospital.example" in mail["To"] and "[sandbox]" in mail["Subject"]
    assert f"{summary['critical']} critical, {summary['warning']} warning" in mail["Subject"]
    body = mail.get_body(preferencelist=("html",)).get_content()
    assert "在途积压 In-transit backlog" in body  # the seeded stuck bills are a warning
    assert summary["report_url"] in body
    # Every check family wrote its rows for the day.
    with db.connect("ebops_db") as ops:
        sources = {
            r["source"]
            for r in ops.rows_sql(
                "SELECT DISTINCT source FROM ebops.inspection_finding WHERE check_date = %(d)s",
                {"d": last + dt.timedelta(days=1)},
            )
        }
    # (other tests of the session may have left one-off sources such as a dead host: not reported)
    assert sources >= {"ebill_ssh_sandbox", "ebill_db", "endpoints", "application", "backup"}

    # A re-run of the same morning says the same: no second report mail, the same rows.
    dagrun, xcom = run_dag("ebill_daily_inspection", last, start=last.isoformat())
    assert dagrun.state == "success" and xcom("report")["report_mailed_to"] == []
    assert len([s for s in _subjects(sandbox) if "日常巡检" in s]) == 1


def test_backfill_of_an_old_day_reevaluates_only_the_application(run_dag, sandbox, manifest):
    first = dt.date.fromisoformat(manifest["generator"]["start"])
    dagrun, xcom = run_dag("ebill_daily_inspection", first, start=first.isoformat())
    assert dagrun.state == "success"
    assert dagrun.get_task_instance("check_endpoints").state == "skipped"
    summary = xcom("report")
    assert summary["live"] is False and summary["incomplete_checks"] == []
    with db.connect("ebops_db") as ops:
        sources = {
            r["source"]
            for r in ops.rows_sql(
                "SELECT DISTINCT source FROM ebops.inspection_finding WHERE check_date = %(d)s",
                {"d": first + dt.timedelta(days=1)},
            )
        }
    assert sources == {"application"}
    assert "补跑" in Path(urlsplit(summary["report_url"]).path).read_text(encoding="utf-8")


def test_corrupt_backup_fails_the_run_with_one_critical_mail(run_dag, sandbox, manifest):
    from ebill_ops.backup import files
    from sandbox import smtp_sink

    today = dt.date.today()
    dagrun, xcom = run_dag("ebill_backup_verify", today, start=today.isoformat())
    assert dagrun.state == "success"
    path = files.local_path(xcom("conclude")["file_url"])
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])  # truncated after the fact
    smtp_sink.clear(sandbox)
    dagrun, _ = run_dag("ebill_backup_verify", today, start=today.isoformat(), verify_only=True)
    assert dagrun.state == "failed"
    assert dagrun.get_task_instance("take_backup").state == "skipped"
    assert dagrun.get_task_instance("conclude").state == "failed"
    mail = smtp_sink.wait_for(sandbox, lambda m: "ebill_backup_verify" in m["Subject"], timeout=30)[0]
    assert "CRITICAL" in mail["Subject"]
    assert not [s for s in _subjects(sandbox) if "FAILED" in s]  # already alerted: no failure mail on top
    # The morning inspection sees the failed backup as critical.
    run_dag("ebill_daily_inspection", _last_day(manifest), start=_last_day(manifest).isoformat())
    with db.connect("ebops_db") as ops:
        row = ops.rows_sql(
            "SELECT severity, detail FROM ebops.inspection_finding WHERE check_name = 'backup_age' "
            "AND check_date = %(d)s AND target = 'pg_dump'",
            {"d": _last_day(manifest) + dt.timedelta(days=1)},
        )[0]
    assert row["severity"] == "critical" and "failed" in row["detail"]
    # Repaired by a new backup: the run succeeds and the incident recovers. (verify_only is given
    # explicitly: dag.test() keeps the previous run's conf in the shared DAG object's params.)
    smtp_sink.clear(sandbox)
    dagrun, xcom = run_dag("ebill_backup_verify", today, start=today.isoformat(), verify_only=False)
    assert dagrun.state == "success", {ti.task_id: ti.state for ti in dagrun.get_task_instances()}
    assert xcom("conclude")["mailed"]["recovered"] == 1
