"""The weekly security report: one self-contained HTML page (inline CSS) that mails and forwards well.

What changed this week first (new, worse, cleared), then every open finding by source and
category with its advice, the coverage of the audit, accepted risks and a small trend.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from ebill_ops.config import common
from ebill_ops.paths import templates_dir
from ebill_ops.security.findings import (
    CATEGORY_LABELS,
    SEVERITY_LABELS,
    SOURCE_LABELS,
    Finding,
    counts,
    ordered,
    source_kind,
    worst,
)

TEMPLATE = "security_report.html.j2"
CATEGORY_ORDER = ("password", "account", "policy", "coverage")


def source_label(source: str) -> str:
    kind, _, conn = source.partition(":")
    return f"{SOURCE_LABELS.get(kind, kind)} · {conn}"


def sections(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    """One section per source (application users first): what needs a person in full rows by
    category, then the info findings folded into one line per rule (names only)."""
    by_source: dict[str, list[Finding]] = {}
    for f in ordered(findings):
        by_source.setdefault(f.source, []).append(f)
    out = []
    for source in sorted(by_source, key=lambda s: (source_kind(s) != "app", s)):
        items = by_source[source]
        groups = []
        for category in CATEGORY_ORDER:
            rows = [f for f in items if f.category == category and f.actionable]
            if rows:
                groups.append({"label": CATEGORY_LABELS[category], "findings": rows})
        folded: dict[str, list[Finding]] = {}
        for f in items:
            if not f.actionable:
                folded.setdefault(f.rule, []).append(f)
        info = [
            {
                "label": rows[0].label,
                "targets": [f.target for f in rows],
                "detail": rows[0].detail if len(rows) == 1 else "",
                "advice": rows[0].advice,
            }
            for rows in folded.values()
        ]
        out.append(
            {
                "label": source_label(source),
                "source": source,
                "counts": counts(items),
                "groups": groups,
                "info": info,
            }
        )
    return out


def render(
    *,
    audit_week: dt.date,
    week_label: str,
    as_of: dt.datetime | None,
    findings: Sequence[Finding],
    sources: Sequence[Mapping[str, Any]],
    missing_sources: Sequence[str],
    changes: Mapping[str, Sequence[Finding]],
    trend: Sequence[Mapping[str, Any]],
    live: bool,
    run_id: str,
    runbook: str,
) -> str:
    import jinja2
    import pendulum

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    settings = common()
    new_keys = {f.key for f in changes.get("new", [])}
    return env.get_template(TEMPLATE).render(
        site=settings.site_name,
        environment=settings.environment,
        audit_week=audit_week.isoformat(),
        week_label=week_label,
        as_of=as_of.strftime("%Y-%m-%d %H:%M") if as_of else "-",
        generated_at=pendulum.now(settings.timezone).strftime("%Y-%m-%d %H:%M"),
        worst=worst(findings) if any(f.actionable for f in findings) else "ok",
        total=counts(findings),
        sections=sections(findings),
        severity_labels={**SEVERITY_LABELS, "ok": "正常 OK"},
        sources=[{**s, "label": source_label(s["source"])} for s in sources],
        missing_sources=[source_label(s) for s in missing_sources],
        changes={k: list(v) for k, v in changes.items()},
        new_keys=new_keys,
        accepted=[f for f in ordered(findings) if f.accepted],
        trend=list(trend),
        live=live,
        run_id=run_id,
        runbook=runbook,
    )
