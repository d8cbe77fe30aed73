"""The weekly report: one self-contained HTML page (inline styles, tables only) that mails and
forwards well. What needs a look comes first; then top SQL, interfaces and the checks that ran."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from ebill_ops.config import common
from ebill_ops.intervals import Window
from ebill_ops.paths import templates_dir
from ebill_ops.perf.findings import CATEGORIES, SEVERITY_LABELS, SEVERITY_RANK, is_unreadable, worst

TEMPLATE = "perf_report.html.j2"


def _facts(row: Mapping[str, Any]) -> dict[str, Any]:
    raw = row.get("facts")
    if not raw:
        return {}
    return json.loads(raw) if isinstance(raw, str) else dict(raw)


def summarize(rows: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Counts of what needs a look, per severity and category, and the checks that could not run."""
    rows = list(rows)
    attention = [r for r in rows if SEVERITY_RANK.get(r["severity"], 0) >= 1]
    per_category: dict[str, int] = {}
    for r in attention:
        per_category[r["category"]] = per_category.get(r["category"], 0) + 1
    return {
        "worst": worst(r["severity"] for r in rows),
        "warning": sum(r["severity"] == "warning" for r in rows),
        "critical": sum(r["severity"] == "critical" for r in rows),
        "per_category": per_category,
        "unreadable": sorted(
            f"{r['source']}:{r['target']}"
            for r in rows
            if is_unreadable(r["category"], r["severity"], r["target"])
        ),
    }


def fingerprint(rows: Iterable[Mapping[str, Any]]) -> str:
    """What the report says, without figures that move on every read: which findings, how bad."""
    keys = sorted(
        f"{r['source']}|{r['category']}|{r['target']}|{r['severity']}"
        for r in rows
        if SEVERITY_RANK.get(r["severity"], 0) >= 1
    )
    return hashlib.sha256("\n".join(keys).encode()).hexdigest()


def _num(value: Any, digits: int = 0) -> str:
    if value is None or value == "":
        return ""
    try:
        return f"{float(value):,.{digits}f}"
    except (TypeError, ValueError):
        return str(value)


def render(
    window: Window,
    rows: list[Mapping[str, Any]],
    *,
    generated_at: dt.datetime,
    run_id: str | None,
    live: bool,
    missing: list[str] | None = None,
) -> str:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["num"] = _num
    rows = [{**r, "facts": _facts(r)} for r in rows]
    attention = sorted(
        (r for r in rows if SEVERITY_RANK.get(r["severity"], 0) >= 1 and r["category"] != "check"),
        key=lambda r: (-SEVERITY_RANK[r["severity"]], list(CATEGORIES).index(r["category"]), r["rank_no"]),
    )
    by_category: dict[str, list[Mapping[str, Any]]] = {c: [] for c in CATEGORIES}
    for r in rows:
        by_category.setdefault(r["category"], []).append(r)
    settings = common()
    return env.get_template(TEMPLATE).render(
        site=settings.site_name,
        environment=settings.environment,
        week=f"{window.start:%Y-%m-%d} ~ {(window.end - dt.timedelta(days=1)):%Y-%m-%d}",
        generated_at=f"{generated_at:%Y-%m-%d %H:%M} ({settings.timezone})",
        run_id=run_id or "-",
        live=live,
        missing=missing or [],
        summary=summarize(rows),
        attention=attention,
        checks=[r for r in rows if r["category"] == "check"],
        top_sql=by_category["top_sql"],
        interfaces=by_category["slow_interface"],
        windows=by_category["slow_window"],
        categories=CATEGORIES,
        severity_labels=SEVERITY_LABELS,
    )
