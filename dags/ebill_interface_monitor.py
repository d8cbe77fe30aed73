"""
### 接口监控 Interface monitor: signature, HIS issuing, finance upload, delivery

**What it does.** Every 15 minutes, from the platform's call log (`interface_call_log`), per
interface — signature server (`signature`), HIS → issuing API (`his_issue`), upload to finance
(`finance_upload`), delivery channels (`delivery`): calls, success rate, mean and p95 latency,
error codes, and which issuing point fails; for delivery also the timeliness (issue → delivery,
`monitor.delivery.late_after_minutes`). One row per interface and slot in
`ebops.interface_health` (a re-run replaces its slots). Thresholds per interface are in the
`monitor` section of the settings file. Failures are judged over the slot and the one before it
(sustained window) with a minimum count, so the odd random error does not alert.

**When it alerts.** When an interface breaches its thresholds, one mail naming the likely cause:
- *网络或对端宕机 network / remote down* (critical): most calls fail with connection errors;
- *对端报错 remote errors*: many calls fail with the remote's error codes;
- *对端性能下降 remote degraded*: calls succeed but mean / p95 latency is over the limit;
- *本地故障 local fault*: errors come from one issuing point while the others work;
- *交付延迟 delivery late*: e-bills not delivered within the allowed time after issue.
The mail is not repeated every 15 minutes while the incident lasts (`ebops.alert_incident`, key
`interface:<name>`); it is sent again if it escalates, and a recovery mail follows when it ends.

**What to do.**
- *Remote down on finance_upload*: the front-end machine (前置机) or the finance platform is
  unreachable; bills pile up in transit. Call the network team / finance hotline. After recovery,
  backfill `ebill_finance_sync` over the outage window (docs/runbook-finance-outage.md).
- *Remote down / errors / degraded on signature or his_issue*: check the signature server /
  the platform's issuing service and its vendor; the error codes are in the mail.
- *Local fault*: check the named issuing point's workstation, local service and network link.
- *Delivery late*: check the WeChat 票夹 / SMS / e-mail gateways and their queues.
- *Task failed*: the platform database was unreachable; the run retries. It is read-only there
  and safe to re-run; a manual run with `start` / `end` (dates) re-measures whole days.

**Reads** `ebill_db` (read-only). **Writes** `ebops_db` only. Runbook:
docs/runbooks/ebill_interface_monitor.md.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import dag, task
from airflow.timetables.interval import CronDataIntervalTimetable

from ebill_ops.config import common, section
from ebill_ops.dag_defaults import dag_kwargs
from ebill_ops.intervals import window_params
from ebill_ops.monitor.settings import MonitorSettings
from ebill_ops.transit.sensor import WaitForWindowLag

DAG_ID = "ebill_interface_monitor"
CFG = section("monitor", MonitorSettings)  # a small local file: fine at parse time


def _window(params, data_interval_start, data_interval_end):
    from ebill_ops.intervals import window_from_context

    return window_from_context(params, data_interval_start, data_interval_end, common().timezone)


@dag(
    schedule=CronDataIntervalTimetable("*/15 * * * *", timezone=common().timezone),
    params=window_params("A manual run measures every 15-minute slot of the days."),
    **dag_kwargs(DAG_ID, tags=["15min", "interface", "read-only"], doc_md=__doc__),
)
def ebill_interface_monitor():
    settle = WaitForWindowLag(
        task_id="settle",
        delta=timedelta(minutes=CFG.settle_minutes),
        deferrable=True,
        timeout=int(timedelta(minutes=30).total_seconds()),
    )

    @task(pool="ebill_db")
    def measure(params=None, data_interval_start=None, data_interval_end=None) -> dict:
        """Success rate, latency, error codes and timeliness per interface and slot."""
        from ebill_ops.monitor import run

        return run.measure(_window(params, data_interval_start, data_interval_end))

    @task
    def alert(measured: dict, params=None, data_interval_start=None, data_interval_end=None) -> dict:
        """One mail when an incident opens, escalates or ends; silence while it goes on."""
        from ebill_ops.monitor import run

        return {**measured, **run.alert(_window(params, data_interval_start, data_interval_end))}

    measured = measure()
    settle >> measured
    alert(measured)


ebill_interface_monitor()
