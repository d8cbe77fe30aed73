"""Business readiness for 1 January (年末业务准备): a pass/fail checklist.

Issuing on 1 January needs next year's bill codes (the year is in the code), stock handed down to
every active issuing point for each kind it issues, no overdue audit (an overdue audit blocks
issuing), known audit deadlines, and next year's partitions in the database. Pure rules over rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from ebill_ops.intervals import as_date
from ebill_ops.yearend.plan import Plan

Severity = Literal["ok", "warning", "critical"]


@dataclass(frozen=True)
class Check:
    check_id: str
    title: str
    passed: bool
    severity: Severity
    detail: str
    items: list[str] = field(default_factory=list)

    def row(self) -> dict[str, Any]:
        return asdict(self)


def _kind(code: str) -> str:
    """Region + class + kind: the first six digits of a bill code, the same every year."""
    return code[:6]


def check_bill_codes(codes: Iterable[Mapping[str, Any]], target_year: int) -> Check:
    rows = list(codes)
    start = dt.date(target_year, 1, 1)
    current = {_kind(r["bill_batch_code"]): r for r in rows if int(r["bill_year"]) == target_year - 1}
    ready = {
        _kind(r["bill_batch_code"])
        for r in rows
        if int(r["bill_year"]) == target_year and as_date(r["valid_from"]) <= start <= as_date(r["valid_to"])
    }
    title = "下一年票据代码 next year's bill codes"
    if not current:
        return Check(
            "bill_codes", title, False, "critical", f"no bill code of {target_year - 1} found: cannot compare"
        )
    missing = sorted(set(current) - ready)
    items = [f"{kind}{target_year % 100:02d} {current[kind]['bill_name']}" for kind in missing]
    if missing:
        detail = f"{len(missing)} of {len(current)} bill kinds have no code valid on {start}: ask the finance bureau"
        return Check("bill_codes", title, False, "critical", detail, items)
    return Check(
        "bill_codes", title, True, "ok", f"all {len(current)} bill kinds have a code for {target_year}"
    )


def check_stock(
    stock: Iterable[Mapping[str, Any]], kinds: Iterable[Mapping[str, Any]], target_year: int, recent_days: int
) -> Check:
    """Every active point needs unused numbers of next year for each e-bill kind it issues now.

    ``kinds``: (place_code, kind) pairs the point issued as e-bills in the last ``recent_days``.
    Paper stock (纸质票据) is physical and allocated separately: not checked here.
    """
    next_year = f"{target_year % 100:02d}"
    issued: dict[str, set[str]] = {}
    for r in kinds:
        issued.setdefault(r["place_code"], set()).add(r["kind"])
    points: dict[str, dict[str, Any]] = {}
    for r in stock:
        point = points.setdefault(r["place_code"], {"name": r["place_name"], "next": set()})
        code = r.get("bill_batch_code")
        if code and code[-2:] == next_year and int(r["remaining"] or 0) > 0:
            point["next"].add(_kind(code))
    title = "下一年号段库存 next year's stock at every active issuing point"
    items = []
    for place, p in sorted(points.items()):
        missing = sorted(issued.get(place, set()) - p["next"])
        if missing:
            codes = ", ".join(f"{k}{next_year}" for k in missing)
            items.append(f"{place} {p['name']}: no {target_year} stock for {codes}")
    idle = sorted(set(points) - set(issued))
    note = f"; {len(idle)} point(s) issued no e-bill in {recent_days} days: {', '.join(idle)}" if idle else ""
    if items:
        detail = (
            f"{len(items)} of {len(points)} active points cannot issue on {target_year}-01-01: "
            f"hand stock down (下发){note}"
        )
        return Check("stock", title, False, "critical", detail, items)
    return Check(
        "stock",
        title,
        True,
        "ok",
        f"all {len(points)} active points have e-bill stock for {target_year}{note}",
    )


def check_audits(cycles: Iterable[Mapping[str, Any]], as_of: dt.date) -> list[Check]:
    open_cycles = [c for c in cycles if c.get("result") is None]
    overdue = [c for c in open_cycles if as_date(c["deadline"]) < as_of]
    upcoming = sorted(
        (c for c in open_cycles if as_date(c["deadline"]) >= as_of), key=lambda c: as_date(c["deadline"])
    )

    def describe(c: Mapping[str, Any]) -> str:
        days = (as_date(c["deadline"]) - as_of).days
        return (
            f"cycle {c['cycle_id']} {as_date(c['period_start'])}..{as_date(c['period_end'])}: "
            f"deadline {as_date(c['deadline'])} ({days:+d} days)"
        )

    overdue_check = Check(
        "audit_overdue",
        "无逾期审验 no overdue audit",
        not overdue,
        "critical" if overdue else "ok",
        f"{len(overdue)} open audit cycle(s) past their deadline: issuing may be blocked"
        if overdue
        else "none",
        [describe(c) for c in overdue],
    )
    known = Check(
        "audit_deadlines",
        "审验期限已知 audit deadlines known",
        bool(upcoming),
        "ok" if upcoming else "warning",
        f"next deadline {as_date(upcoming[0]['deadline'])}"
        if upcoming
        else "no upcoming audit deadline recorded: ask the finance bureau for the schedule and enter it",
        [describe(c) for c in upcoming],
    )
    return [overdue_check, known]


def check_database(plan: Plan | None) -> Check:
    title = "下一年分区与表空间 next year's partitions and tablespace"
    if plan is None:
        return Check("database", title, False, "warning", "database not planned in this run")
    pending = [s for s in plan.steps if s.kind in ("tablespace", "partition")]
    missing = [w for w in plan.warnings if "not found" in w or "not partitioned" in w]
    if pending or missing:
        items = [f"{s.kind} {s.object_name}" for s in pending] + missing
        detail = f"{len(pending)} object(s) to create: inserts dated {plan.target_year} fail until the plan is applied"
        return Check("database", title, False, "critical", detail, items)
    return Check("database", title, True, "ok", f"partitions for {plan.target_year} exist")


def assess(
    *,
    target_year: int,
    as_of: dt.date,
    codes: Iterable[Mapping[str, Any]],
    stock: Iterable[Mapping[str, Any]],
    kinds: Iterable[Mapping[str, Any]],
    cycles: Iterable[Mapping[str, Any]],
    plan: Plan | None,
    recent_days: int = 90,
) -> list[Check]:
    return [
        check_bill_codes(codes, target_year),
        check_stock(stock, kinds, target_year, recent_days),
        *check_audits(cycles, as_of),
        check_database(plan),
    ]
