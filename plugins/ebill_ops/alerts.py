"""E-mail alerts: task failures, deadline misses (Airflow 3's SLA), findings that need a person.

Everything a DAG needs to tell people goes through here so that subjects, recipients and the
Chinese/English labels are the same everywhere. Callbacks live in the plugins package because
the triggerer must import deadline callbacks (it does not read the dags folder).

No alert storms: a task that keeps failing mails once (incident ``failed:<dag>:<task>``), and
the next successful run of its DAG mails one recovery notice (``dag_success_callback``).
"""

from __future__ import annotations

import html
import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from typing import Any
from urllib.parse import quote

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

# An exception carrying this attribute (truthy) was already mailed by the task that raised it.
ALERTED_ATTRIBUTE = "ebops_alerted"


def subject(kind: str, dag_id: str, detail: str) -> str:
    """``[ebill-ops][prod][失败 FAILED] ebill_reconciliation: ...`` — one shape for every mail."""
    settings = common()
    return f"[ebill-ops][{settings.environment}][{KINDS.get(kind, kind)}] {dag_id}: {detail}"


def runbook_link(dag_id: str, section: str | None = None) -> str:
    anchor = f"#{section}" if section else ""
    return f"docs/runbooks/{dag_id}.md{anchor}"


def run_link(dag_id: str, run_id: str | None) -> str:
    """The run's page in the Airflow UI (``common.alerts.airflow_base_url``)."""
    base = common().alerts.airflow_base_url.rstrip("/")
    if not run_id:
        return f"{base}/dags/{dag_id}"
    return f"{base}/dags/{dag_id}/runs/{quote(str(run_id), safe='')}"


def facts_table(facts: Mapping[str, Any]) -> str:
    """A small two-column HTML table; keys are labels such as "DAG 工作流"."""
    rows = "".join(
        f"<tr><th align='left' style='padding-right:12px'>{html.escape(str(k))}</th>"
        f"<td>{html.escape(str(v))}</td></tr>"
        for k, v in facts.items()
    )
    return f"<table>{rows}</table>"


def findings_table(rows: Sequence[Mapping[str, Any]]) -> str:
    """Findings (``severity, category, check, target, value, threshold, advice``) as an HTML table."""
    colours = {"critical": "#d1242f", "warning": "#9a6700", "ok": "#1a7f37"}
    head = (
        "<tr><th align='left'>级别 Severity</th><th align='left'>检查项 Check</th><th align='left'>对象 Target</th>"
        "<th align='right'>值 Value</th><th align='left'>阈值 Threshold</th><th align='left'>建议 Advice</th></tr>"
    )
    body = "".join(
        f"<tr><td style='color:{colours.get(str(r.get('severity')), '#1f2328')};font-weight:bold'>"
        f"{html.escape(str(r.get('severity', '')))}</td>"
        f"<td>{html.escape(str(r.get('check', '')))}</td>"
        f"<td>{html.escape(str(r.get('target', '')))}<br><small>{html.escape(str(r.get('detail') or ''))}</small></td>"
        f"<td align='right'>{html.escape(str(r.get('value', '')))}</td>"
        f"<td>{html.escape(str(r.get('threshold', '')))}</td>"
        f"<td>{html.escape(str(r.get('advice', '')))}</td></tr>"
        for r in rows
    )
    return f"<table border='1' cellpadding='4' style='border-collapse:collapse'>{head}{body}</table>"


def send_mail(
    subject_line: str,
    html_body: str,
    *,
    to: Iterable[str] | None = None,
    files: list[str] | None = None,
) -> list[str]:
    """Send through the configured SMTP connection (Airflow's SMTP provider); returns the recipients."""
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
    return recipients


def send_report(
    kind: str, dag_id: str, detail: str, html_body: str, report_url: str, *, to: Iterable[str] | None = None
) -> list[str]:
    """Mail a rendered HTML report with the link to its kept file at the end of the body."""
    link = f"<p>报告文件 Report file: {report_url}</p>"
    return send_mail(subject(kind, dag_id, detail), html_body.replace("</body>", f"{link}</body>"), to=to)


def alerted_failure(message: str) -> Exception:
    """An ``AirflowFailException`` (no retries) for a problem this task has already mailed about,
    so the failure callback does not mail it a second time."""
    from airflow.sdk.exceptions import AirflowFailException

    exc = AirflowFailException(message)
    setattr(exc, ALERTED_ATTRIBUTE, True)
    return exc


def _local(value: Any) -> str:
    """A UTC instant of the context shown in the site's time zone."""
    if value is None:
        return "-"
    try:
        import pendulum

        return pendulum.instance(value).in_timezone(common().timezone).format("YYYY-MM-DD HH:mm:ss Z")
    except Exception:
        return str(value)


def failure_key(dag_id: str, task_id: str) -> str:
    return f"failed:{dag_id}:{task_id}"


def _track(key: str, *, active: bool, severity: str, summary: str) -> Any | None:
    """incidents.track in its own ebops transaction; None when ebops is unreachable (then mail anyway)."""
    try:
        from ebill_ops import db, incidents

        with db.connect(common().connections.ebops_db, read_only=False) as ops:
            return incidents.track(ops, key, active=active, severity=severity, summary=summary)
    except Exception:
        log.warning("incident bookkeeping unavailable for %s; mailing without it", key, exc_info=True)
        return None


def task_failure_callback(context: Mapping[str, Any]) -> None:
    """on_failure_callback of every task: who failed, for which interval, where to look, what to do.

    One mail per ongoing failure of a task: later failures of the same task stay quiet until a
    successful run of the DAG closes the incident (and mails a recovery notice).
    """
    try:
        ti = context["ti"]
        dag_id = ti.dag_id
        exception = context.get("exception")
        if exception is not None and getattr(exception, ALERTED_ATTRIBUTE, False):
            log.info("failure of %s.%s was already alerted by the task", dag_id, ti.task_id)
            return
        message = (
            str(exception).splitlines()[0][:300] if exception and str(exception) else "(no exception text)"
        )
        kind = type(exception).__name__ if exception is not None else "-"
        outcome = _track(
            failure_key(dag_id, ti.task_id), active=True, severity="critical", summary=f"{kind}: {message}"
        )
        if outcome is not None and not outcome.should_notify:
            log.info("failure of %s.%s is an ongoing incident: no second mail", dag_id, ti.task_id)
            return
        facts = {
            "DAG 工作流": dag_id,
            "Task 任务": ti.task_id,
            "Try 尝试次数": getattr(ti, "try_number", "?"),
            "Data interval 数据区间": f"{_local(context.get('data_interval_start'))} → "
            f"{_local(context.get('data_interval_end'))}",
            "Run 运行": context.get("run_id") or getattr(ti, "run_id", ""),
            "Error 错误": f"{kind}: {message}",
            "Log 日志": getattr(ti, "log_url", ""),
            "Runbook 处理手册": runbook_link(dag_id, ti.task_id),
            "Environment 环境": common().environment,
        }
        body = (
            "<p>任务失败，已用尽重试。A task failed after all its retries.</p>"
            f"{facts_table(facts)}"
            "<p>同一任务的后续失败不再重复发信，直到该工作流成功运行一次（届时发送恢复通知）。"
            " Further failures of this task are not mailed again until the DAG succeeds (a recovery notice follows).</p>"
        )
        send_mail(subject("failed", dag_id, f"{ti.task_id} {message[:80]}"), body)
    except Exception:  # a failing alert must not hide the original failure
        log.exception("could not send the failure alert")


def dag_success_callback(context: Mapping[str, Any]) -> None:
    """on_success_callback of a DAG: close its open failure incidents and mail one recovery notice."""
    try:
        dag_run = context.get("dag_run")
        dag_id = getattr(dag_run, "dag_id", None) or context["dag"].dag_id
        from ebill_ops import db, incidents

        with db.connect(common().connections.ebops_db, read_only=False) as ops:
            recovered = incidents.recover_absent(
                ops, f"failed:{dag_id}:", set(), summary="the DAG succeeded again"
            )
        notify = [o for o in recovered if o.should_notify]
        if not notify:
            return
        tasks = ", ".join(o.key.rsplit(":", 1)[-1] for o in notify)
        facts = {
            "DAG 工作流": dag_id,
            "Recovered tasks 已恢复任务": tasks,
            "Run 运行": context.get("run_id") or getattr(dag_run, "run_id", ""),
            "Data interval 数据区间": f"{_local(context.get('data_interval_start'))} → "
            f"{_local(context.get('data_interval_end'))}",
            "Airflow": run_link(dag_id, context.get("run_id") or getattr(dag_run, "run_id", None)),
        }
        body = f"<p>工作流已恢复正常运行。The DAG ran successfully again.</p>{facts_table(facts)}"
        send_mail(subject("recovered", dag_id, f"{tasks} ok again"), body)
    except Exception:
        log.exception("could not send the recovery notice")


def notify_outcomes(
    dag_id: str,
    outcomes: Sequence[tuple[Any, Mapping[str, Any]]],
    *,
    title: str,
    links: Mapping[str, str] | None = None,
    to: Iterable[str] | None = None,
) -> dict[str, int]:
    """One mail for what opened or got worse, one for what recovered (incidents' decisions).

    ``outcomes`` pairs an ``incidents.Outcome`` with the finding row it is about.
    """
    raised = [row for outcome, row in outcomes if outcome.decision in ("open", "escalate")]
    recovered = [row for outcome, row in outcomes if outcome.decision == "recover"]
    extra = facts_table(links) if links else ""
    if raised:
        worst = "critical" if any(r.get("severity") == "critical" for r in raised) else "alert"
        send_mail(
            subject(worst, dag_id, f"{title}: {len(raised)} new or worse 新增/加重"),
            f"<p>以下问题新出现或加重，请处理。These problems are new or got worse.</p>{findings_table(raised)}{extra}"
            f"<p>处理手册 Runbook: {runbook_link(dag_id)}</p>",
            to=to,
        )
    if recovered:
        send_mail(
            subject("recovered", dag_id, f"{title}: {len(recovered)} recovered 已恢复"),
            f"<p>以下问题已恢复。These problems have cleared.</p>{findings_table(recovered)}{extra}",
            to=to,
        )
    return {"alerted": len(raised), "recovered": len(recovered)}


def deadline_minutes(dag_id: str) -> int:
    settings = common()
    return settings.deadlines_minutes.get(dag_id, settings.default_deadline_minutes)


def deadline_alerts(dag_id: str, interval: timedelta | None = None) -> list[Any]:
    """The DAG's deadline alert (Airflow 3's SLA): an e-mail when a run is not done in time.

    ``interval`` overrides ``common.deadlines_minutes`` (tests use a minute). The callback is the
    SMTP provider's notifier, which the triggerer imports on its own.
    """
    from airflow.providers.smtp.notifications.smtp import SmtpNotifier
    from airflow.sdk import AsyncCallback, DeadlineAlert, DeadlineReference

    settings = common()
    interval = interval or timedelta(minutes=deadline_minutes(dag_id))
    limit = f"{interval.total_seconds() / 60:g} min"
    detail = f"run not finished within {limit} 运行超时"
    base = settings.alerts.airflow_base_url.rstrip("/")
    body = (
        "<p>运行未在规定时间内完成。A run did not finish before its deadline.</p>"
        "<table>"
        "<tr><th align='left'>DAG 工作流</th><td>{{ dag_run.dag_id }}</td></tr>"
        "<tr><th align='left'>Run 运行</th><td>{{ dag_run.dag_run_id }}</td></tr>"
        "<tr><th align='left'>Data interval 数据区间</th>"
        "<td>{{ dag_run.data_interval_start }} → {{ dag_run.data_interval_end }}</td></tr>"
        "<tr><th align='left'>Queued 排队时间</th><td>{{ dag_run.queued_at }}</td></tr>"
        "<tr><th align='left'>Deadline 截止时间</th><td>{{ deadline.deadline_time }}</td></tr>"
        f"<tr><th align='left'>Allowed 允许时长</th><td>{limit}</td></tr>"
        f"<tr><th align='left'>Airflow</th><td>{base}/dags/{{{{ dag_run.dag_id }}}}/runs/{{{{ dag_run.dag_run_id }}}}</td></tr>"
        f"<tr><th align='left'>Environment 环境</th><td>{settings.environment}</td></tr>"
        f"<tr><th align='left'>Runbook 处理手册</th><td>{runbook_link(dag_id, 'deadline')}</td></tr>"
        "</table>"
        "<p>运行仍可能完成：先在 Airflow 中查看正在运行或排队的任务。"
        " The run may still finish: look at its running or queued tasks first.</p>"
    )
    return [
        DeadlineAlert(
            reference=DeadlineReference.DAGRUN_QUEUED_AT,
            interval=interval,
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
