"""E-mail alerts: task failures, deadline misses (Airflow 3's SLA), findings that need a person.

Everything a DAG needs to tell people goes through here so that subjects, recipients and the
Chinese/English labels are the same everywhere. Callbacks live in the plugins package because
the triggerer must import deadline callbacks (it does not read the dags folder).
"""

from __future__ import annotations

import html
import logging
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from ebill_ops.config import common

log = logging.getLogger(__name__)

KINDS = {
    "failed": "失败 FAILED",
    "deadline": "超时 DEADLINE MISSED",
    "alert": "告警 ALERT",
    "critical": "严重 CRITICAL",
    "recovered": "恢复 RECOVERED",
    "report": "报告 REPORT",
}


def subject(kind: str, dag_id: str, detail: str) -> str:
    """``[ebill-ops][prod][失败 FAILED] ebill_reconciliation: ...`` — one shape for every mail."""
    settings = common()
    return f"[ebill-ops][{settings.environment}][{KINDS.get(kind, kind)}] {dag_id}: {detail}"


def runbook_link(dag_id: str, section: str | None = None) -> str:
    anchor = f"#{section}" if section else ""
    return f"docs/runbooks/{dag_id}.md{anchor}"


def facts_table(facts: Mapping[str, Any]) -> str:
    """A small two-column HTML table; keys are labels such as "DAG 工作流"."""
    rows = "".join(
        f"<tr><th align='left' style='padding-right:12px'>{html.escape(str(k))}</th>"
        f"<td>{html.escape(str(v))}</td></tr>"
        for k, v in facts.items()
    )
    return f"<table>{rows}</table>"


def send_mail(
    subject_line: str,
    html_body: str,
    *,
    to: Iterable[str] | None = None,
    files: list[str] | None = None,
) -> None:
    """Send through the configured SMTP connection (Airflow's SMTP provider)."""
    from airflow.providers.smtp.hooks.smtp import SmtpHook

    settings = common()
    recipients = list(to or settings.alerts.to)
    with SmtpHook(smtp_conn_id=settings.connections.smtp) as hook:
        hook.send_email_smtp(
            to=recipients,
            subject=subject_line,
            html_content=html_body,
            from_email=settings.alerts.from_email,
            files=files,
        )


def task_failure_callback(context: Mapping[str, Any]) -> None:
    """on_failure_callback of every task: who failed, for which interval, where to look, what to do."""
    try:
        ti = context["ti"]
        dag_id = ti.dag_id
        exception = context.get("exception")
        message = str(exception).splitlines()[0][:300] if exception else "(no exception text)"
        facts = {
            "DAG 工作流": dag_id,
            "Task 任务": ti.task_id,
            "Try 尝试次数": getattr(ti, "try_number", "?"),
            "Data interval 数据区间": f"{context.get('data_interval_start')} → {context.get('data_interval_end')}",
            "Run 运行": context.get("run_id"),
            "Error 错误": message,
            "Log 日志": getattr(ti, "log_url", ""),
            "Runbook 处理手册": runbook_link(dag_id, ti.task_id),
        }
        body = f"<p>任务失败，已用尽重试。A task failed after all its retries.</p>{facts_table(facts)}"
        send_mail(subject("failed", dag_id, f"{ti.task_id} {message[:80]}"), body)
    except Exception:  # a failing alert must not hide the original failure
        log.exception("could not send the failure alert")


def deadline_alerts(dag_id: str) -> list[Any]:
    """The DAG's deadline alert (Airflow 3's SLA): an e-mail when a run is not done in time."""
    from airflow.providers.smtp.notifications.smtp import SmtpNotifier
    from airflow.sdk import AsyncCallback, DeadlineAlert, DeadlineReference

    settings = common()
    minutes = settings.deadlines_minutes.get(dag_id, settings.default_deadline_minutes)
    detail = f"run not finished within {minutes} min 运行超时"
    body = (
        "<p>运行未在规定时间内完成。A run did not finish before its deadline.</p>"
        "<table>"
        "<tr><th align='left'>DAG 工作流</th><td>{{ dag_run.dag_id }}</td></tr>"
        "<tr><th align='left'>Run 运行</th><td>{{ dag_run.dag_run_id }}</td></tr>"
        "<tr><th align='left'>Data interval 数据区间</th>"
        "<td>{{ dag_run.data_interval_start }} → {{ dag_run.data_interval_end }}</td></tr>"
        "<tr><th align='left'>Queued 排队时间</th><td>{{ dag_run.queued_at }}</td></tr>"
        "<tr><th align='left'>Deadline 截止时间</th><td>{{ deadline.deadline_time }}</td></tr>"
        f"<tr><th align='left'>Runbook 处理手册</th><td>{runbook_link(dag_id, 'deadline')}</td></tr>"
        "</table>"
    )
    return [
        DeadlineAlert(
            reference=DeadlineReference.DAGRUN_QUEUED_AT,
            interval=timedelta(minutes=minutes),
            callback=AsyncCallback(
                SmtpNotifier,
                kwargs={
                    "to": list(settings.alerts.to),
                    "from_email": settings.alerts.from_email,
                    "smtp_conn_id": settings.connections.smtp,
                    "subject": subject("deadline", dag_id, detail),
                    "html_content": body,
                },
            ),
            name=f"{dag_id}-deadline",
        )
    ]
