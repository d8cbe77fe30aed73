"""The quality mail: one per window when something opens, gets worse or recovers (incidents).

A re-run that finds the same failures again stays quiet; a re-check after the vendor fixed the
bills mails one recovery notice. Labels are Chinese beside English.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from ebill_ops.config import common
from ebill_ops.paths import templates_dir

TREND_DAYS = 7


def incident_key(summary: Mapping[str, Any]) -> str:
    first, last = summary["first_day"], summary["last_day"]
    return f"quality:{first}" if first == last else f"quality:{first}..{last}"


def severity(summary: Mapping[str, Any]) -> str:
    if summary["critical_failed"]:
        return "critical"
    if summary["warning_failed"]:
        return "warning"
    return "ok"


def headline(summary: Mapping[str, Any]) -> str:
    crit, warn = len(summary["critical_failed"]), len(summary["warning_failed"])
    days = summary["first_day"] if summary["days"] <= 1 else f"{summary['first_day']}..{summary['last_day']}"
    if not crit and not warn:
        return f"{days}: all rules pass 全部合格"
    return f"{days}: {crit} critical, {warn} warning rule(s) failed 规则不合格, {summary['failures']} bill-rule pair(s)"


def trend(
    rows: Iterable[Mapping[str, Any]], last_day: dt.date, days: int = TREND_DAYS
) -> tuple[list[str], dict]:
    """Failing bills per rule per day for the ``days`` days ending ``last_day`` (ebops pass rates)."""
    wanted = [(last_day - dt.timedelta(days=i)).isoformat() for i in range(days - 1, -1, -1)]
    table: dict[str, dict[str, int]] = {}
    for row in rows:
        day = (
            row["check_day"].isoformat() if hasattr(row["check_day"], "isoformat") else str(row["check_day"])
        )
        table.setdefault(row["rule_id"], {})[day[:10]] = int(row["failed"])
    present = [d for d in wanted if any(d in counts for counts in table.values())]
    return present, {rule: counts for rule, counts in sorted(table.items()) if any(counts.values())}


def render(
    summary: Mapping[str, Any],
    *,
    fix_list: str | None,
    decision: str,
    run_id: str,
    trend_days: list[str],
    trend_table: Mapping[str, Mapping[str, int]],
    runbook: str,
) -> str:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(
        loader=FileSystemLoader(str(templates_dir())), autoescape=select_autoescape(["html", "j2"])
    )
    settings = common()
    return env.get_template("quality_report.html.j2").render(
        site=settings.site_name,
        environment=settings.environment,
        decision=decision,
        run_id=run_id,
        fix_list=fix_list,
        trend_days=trend_days if len(trend_days) > 1 else [],
        trend=trend_table,
        runbook=runbook,
        **summary,
    )
