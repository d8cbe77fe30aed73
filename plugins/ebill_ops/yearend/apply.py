"""Run a reviewed plan statement by statement; stop at the first error; verify the result.

Only what was reviewed runs. Just before applying, the database is planned again: a reviewed
step that is no longer in the fresh plan was done meanwhile (a retry, a colleague) and is
skipped; a fresh step that was never reviewed, or whose statements differ, stops everything
(``PlanChanged``) because nobody approved it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from ebill_ops.yearend import ddl
from ebill_ops.yearend.catalog import Catalog
from ebill_ops.yearend.plan import Plan, Step

log = logging.getLogger(__name__)


class PlanChanged(RuntimeError):
    """The database needs something the approved plan does not contain."""


class Executor(Protocol):
    def execute_sql(self, text: str, params: Any = None) -> int: ...
    def rows_sql(self, text: str, params: Any = None) -> list[dict[str, Any]]: ...


def reconcile(reviewed: Plan, fresh: Plan) -> tuple[list[Step], list[str]]:
    """(steps to run, in reviewed order; ids of reviewed steps already done)."""
    if (reviewed.dialect, reviewed.target_year) != (fresh.dialect, fresh.target_year):
        raise PlanChanged("the approved plan is for another database or year")
    approved = {s.step_id: s for s in reviewed.steps}
    for step in fresh.steps:
        known = approved.get(step.step_id)
        if known is None:
            raise PlanChanged(
                f"{step.step_id} is needed now but was not in the approved plan: plan and review again"
            )
        if known.statements != step.statements:
            raise PlanChanged(f"{step.step_id}: its statements changed since approval: plan and review again")
    pending = {s.step_id for s in fresh.steps}
    return [s for s in reviewed.steps if s.step_id in pending], [
        s.step_id for s in reviewed.steps if s.step_id not in pending
    ]


@dataclass
class ApplyResult:
    applied: list[dict[str, Any]] = field(default_factory=list)  # one per statement run
    already_done: list[str] = field(default_factory=list)
    failed: dict[str, Any] | None = None
    remaining: list[str] = field(default_factory=list)  # step ids not run because of the failure
    counts_before: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.failed is None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def count_partitions(db: Executor, dialect: str, step: Step, *, after: bool) -> int:
    """Rows in the partitions a step moves (compress) or splits; old data takes no inserts."""
    names = [step.partition] if step.source_partition is None else [step.source_partition]
    if after and step.source_partition is not None:
        names.append(step.partition)
    total = 0
    for name in names:
        row = db.rows_sql(ddl.count_rows(dialect, step.owner or "", step.table or "", name or ""))[0]
        total += int(row["row_count"])
    return total


def apply_steps(
    db: Executor,
    dialect: str,
    steps: list[Step],
    *,
    lock_timeout_seconds: int,
    on_statement: Callable[[Step, int, str, str, str | None], None] = lambda *a: None,
) -> ApplyResult:
    """Execute each statement in order on an autocommit connection; stop at the first error.

    ``on_statement(step, number, statement, status, error)`` is called before ("running") and
    after ("applied" / "failed") each statement, for the ledger and the log.
    """
    result = ApplyResult()
    for statement in ddl.session_setup(dialect, lock_timeout_seconds):  # type: ignore[arg-type]
        db.execute_sql(statement)
    total = sum(len(s.statements) for s in steps)
    number = 0
    for index, step in enumerate(steps):
        if step.count_rows:
            result.counts_before[step.step_id] = count_partitions(db, dialect, step, after=False)
        for statement in step.statements:
            number += 1
            log.info("[%d/%d] %s: %s", number, total, step.step_id, statement)
            on_statement(step, number, statement, "running", None)
            started = time.perf_counter()
            try:
                db.execute_sql(statement)
            except Exception as exc:  # the database said no: stop here, say what remains
                message = " ".join(str(exc).split())[:1000]
                log.error("[%d/%d] FAILED %s: %s", number, total, step.step_id, message)
                on_statement(step, number, statement, "failed", message)
                result.failed = {"step_id": step.step_id, "statement": statement, "error": message}
                result.remaining = [s.step_id for s in steps[index:]]
                return result
            seconds = round(time.perf_counter() - started, 3)
            log.info("[%d/%d] done in %.1f s", number, total, seconds)
            on_statement(step, number, statement, "applied", None)
            result.applied.append({"step_id": step.step_id, "statement": statement, "seconds": seconds})
    return result


@dataclass(frozen=True)
class VerifyCheck:
    check: str
    object_name: str
    passed: bool
    detail: str

    def row(self) -> dict[str, Any]:
        return asdict(self)


def verify(
    steps: list[Step],
    after: Catalog,
    fresh: Plan,
    *,
    counts_before: dict[str, int],
    counts_after: dict[str, int],
    compress_for: str = "BASIC",
) -> list[VerifyCheck]:
    """Check what the applied steps were meant to do, from the dictionary read afterwards."""
    checks: list[VerifyCheck] = []
    still = {s.step_id for s in fresh.steps}
    touched: set[tuple[str, str]] = set()
    for step in steps:
        checks.append(
            VerifyCheck(
                "done",
                step.step_id,
                step.step_id not in still,
                "nothing left to do" if step.step_id not in still else "still planned",
            )
        )
        if step.kind == "tablespace":
            checks.append(
                VerifyCheck("exists", step.object_name, step.object_name in after.tablespaces, "tablespace")
            )
        elif step.kind == "read_only":
            space = after.tablespaces.get(step.object_name)
            checks.append(
                VerifyCheck(
                    "read_only",
                    step.object_name,
                    bool(space and space.status == "READ ONLY"),
                    space.status if space else "missing",
                )
            )
        elif step.kind in ("partition", "compress"):
            owner, table_name = step.owner or "", step.table or ""
            touched.add((owner, table_name))
            table = after.table(owner, table_name)
            part = table.partition(step.partition or "") if table else None
            label = f"{owner}.{table_name}.{step.partition}"
            if part is None:
                checks.append(VerifyCheck("exists", label, False, "partition not found after apply"))
                continue
            if step.kind == "partition":
                bounds = (
                    part.low.isoformat() if part.low else None,
                    part.high.isoformat() if part.high else None,
                )
                checks.append(
                    VerifyCheck(
                        "bounds", label, bounds == (step.low, step.high), f"[{bounds[0]}, {bounds[1]})"
                    )
                )
                if step.tablespace:
                    checks.append(
                        VerifyCheck(
                            "tablespace", label, part.tablespace == step.tablespace, str(part.tablespace)
                        )
                    )
            else:
                if after.dialect == "oracle":
                    ok = (part.compression or "").upper() == "ENABLED" and (
                        part.compress_for or ""
                    ).upper() == compress_for
                    detail = f"{part.compression} {part.compress_for}"
                else:
                    ok = ddl.COMPACT_MARKER in part.options
                    detail = ",".join(part.options) or "no options"
                checks.append(VerifyCheck("compression", label, ok, detail))
        if step.step_id in counts_before:
            before, now = counts_before[step.step_id], counts_after.get(step.step_id)
            checks.append(
                VerifyCheck("row_count", step.step_id, before == now, f"before {before}, after {now}")
            )
    for owner, table_name in sorted(touched):
        states = [
            i for i in after.indexes if i.owner == after.name(owner) and i.table == after.name(table_name)
        ]
        bad = [
            f"{i.index}{'/' + i.table_partition if i.table_partition else ''}: {i.status}"
            for i in states
            if not i.usable
        ]
        checks.append(
            VerifyCheck(
                "indexes_usable",
                f"{owner}.{table_name}",
                not bad,
                f"{len(states)} index (partitions) usable" if not bad else "; ".join(bad)[:500],
            )
        )
    return checks
