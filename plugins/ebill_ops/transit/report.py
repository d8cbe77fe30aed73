"""Mails of the finance sync: bills given up (named one by one, once), days that do not balance."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import jinja2

from ebill_ops import alerts
from ebill_ops.paths import templates_dir

DAG_ID = "ebill_finance_sync"


def render(template: str, **values: Any) -> str:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template(template).render(**values)


def mail_gave_up(bills: Sequence[Mapping[str, Any]], budget: int) -> None:
    keys = ", ".join(f"{b['bill_batch_code']}-{b['bill_no']}" for b in bills[:3])
    more = f" (+{len(bills) - 3})" if len(bills) > 3 else ""
    detail = f"{len(bills)} bill(s) refused by finance, retry budget spent 重试用尽: {keys}{more}"
    body = render(
        "transit_gave_up.html.j2", bills=bills, budget=budget, runbook=alerts.runbook_link(DAG_ID, "gave-up")
    )
    alerts.send_mail(alerts.subject("alert", DAG_ID, detail), body)


def mail_balance(day: Mapping[str, Any], *, recovered: bool) -> None:
    if recovered:
        subject = alerts.subject("recovered", DAG_ID, f"finance and platform agree for {day['date']} 已平")
    else:
        subject = alerts.subject("alert", DAG_ID, f"finance and platform differ for {day['date']} 不平")
    body = render(
        "transit_imbalance.html.j2",
        day=day,
        recovered=recovered,
        runbook=alerts.runbook_link(DAG_ID, "imbalance"),
    )
    alerts.send_mail(subject, body)
