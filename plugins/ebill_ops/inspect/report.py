"""The inspection report: one self-contained HTML page (inline CSS, no images) that mails and forwards well.

Summary first, critical findings first, then a small trend chart of key figures over the last
30 days drawn with table cells. No JavaScript, SVG or external image: mail clients strip them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ebill_ops.inspect.findings import (
    CATEGORIES,
    CATEGORY_LABELS,
    SEVERITY_LABELS,
    Finding,
    counts,
    ordered,
    worst,
)

TEMPLATE = "inspect_report.html.j2"

# Figures of the trend chart: (label, check name, column of the trend query).
TREND_FIGURES = (
    ("最大磁盘使用率 Max disk used %", "disk_used", "max_value"),
    ("数据库大小 Database size MB", "db_size", "max_raw"),
    ("在途积压 In-transit backlog", "transit_backlog", "sum_value"),
    ("开票错误率 Issuing error rate %", "issue_errors", "max_value"),
)


@dataclass(frozen=True)
class Series:
    label: str
    points: list[tuple[dt.date, float | None]]

    @property
    def last(self) -> float | None:
        values = [v for _, v in self.points if v is not None]
        return values[-1] if values else None


def trend_series(
    check_date: dt.date, days: int, bills: Mapping[dt.date, int], stored: Iterable[Mapping[str, Any]]
) -> list[Series]:
    """One series per key figure over ``days`` days ending on ``check_date`` (gaps are None)."""
    dates = [check_date - dt.timedelta(days=i) for i in range(days - 1, -1, -1)]
    by_figure: dict[tuple[str, str], dict[dt.date, float]] = {}
    issues: dict[dt.date, float] = {}
    for row in stored:
        day = row["check_date"].date() if isinstance(row["check_date"], dt.datetime) else row["check_date"]
        for _, check, column in TREND_FIGURES:
            if row["check_name"] == check and row.get(column) is not None:
                by_figure.setdefault((check, column), {})[day] = float(row[column])
        issues[day] = (
            issues.get(day, 0) + float(row.get("critical_count") or 0) + float(row.get("warning_count") or 0)
        )
    # Bills are counted per business day; the inspection of day D looks at D-1.
    series = [
        Series("开票量 Bills issued per day", [(d, float(bills[d]) if d in bills else None) for d in dates])
    ]
    for label, check, column in TREND_FIGURES:
        values = by_figure.get((check, column), {})
        series.append(Series(label, [(d, values.get(d)) for d in dates]))
    series.append(Series("告警项 Warnings + critical findings", [(d, issues.get(d)) for d in dates]))
    return series


def bars(points: Sequence[tuple[dt.date, float | None]], height: int = 48) -> str:
    """A small bar chart made of table cells: mail clients (Outlook, webmail) strip SVG and
    scripts but keep tables, so the chart survives forwarding. Gaps stay empty; today is red."""
    values = [v for _, v in points if v is not None]
    if not values:
        return "<span style='color:#888'>暂无数据 no data</span>"
    high = max(max(values), 0) or 1.0
    cells = []
    for i, (day, v) in enumerate(points):
        colour = "#d1242f" if i == len(points) - 1 else "#1f6feb"
        bar = (
            f"<div style='height:{max(round(v / high * height), 1)}px;width:6px;background:{colour}'></div>"
            if v is not None and v > 0
            else ""
        )
        cells.append(
            f"<td valign='bottom' title='{day.isoformat()}: {_fmt(v)}' style='padding:0 1px;height:{height}px'>{bar}</td>"
        )
    return (
        "<table cellspacing='0' cellpadding='0' style='border-bottom:1px solid #999'><tr>"
        + "".join(cells)
        + f"</tr></table><span style='font-size:11px;color:#57606a'>max {_fmt(high)}</span>"
    )


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if abs(value) >= 100 or float(value).is_integer() else f"{value:,.2f}"


def fingerprint(findings: Iterable[Finding], incomplete: Iterable[str] = ()) -> str:
    """What the report *says* (keys and severities of what is wrong, which checks did not report),
    not its measured decimals: 64 hex characters, the width of ``inspection_run.fingerprint``."""
    flagged = sorted(f"{f.key}={f.severity}" for f in findings if f.severity != "ok")
    flagged += sorted(f"incomplete:{source}" for source in incomplete)
    return hashlib.sha256("\n".join(flagged).encode()).hexdigest()


def render(
    *,
    site: str,
    environment: str,
    check_date: dt.date,
    window_text: str,
    findings: list[Finding],
    series: list[Series],
    live: bool,
    failed_checks: Sequence[str] = (),
    generated_at: dt.datetime,
    backup_catalog: str,
) -> str:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from ebill_ops.paths import templates_dir

    env = Environment(
        loader=FileSystemLoader(str(templates_dir())),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = _fmt
    rows = ordered(findings)
    per_category = {
        c: counts(f for f in findings if f.category == c)
        for c in CATEGORIES
        if any(f.category == c for f in findings)
    }
    return env.get_template(TEMPLATE).render(
        site=site,
        environment=environment,
        check_date=check_date,
        window_text=window_text,
        worst=worst(f.severity for f in findings),
        total=counts(findings),
        per_category=per_category,
        problems=[f for f in rows if f.severity != "ok"],
        healthy=[f for f in rows if f.severity == "ok"],
        charts=[(s.label, bars(s.points), _fmt(s.last)) for s in series],
        live=live,
        failed_checks=list(failed_checks),
        generated_at=generated_at,
        severity_labels=SEVERITY_LABELS,
        category_labels=CATEGORY_LABELS,
        backup_catalog=backup_catalog,
    )
