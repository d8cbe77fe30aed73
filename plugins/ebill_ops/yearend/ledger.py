"""Our own record of year-end work in ``ebops`` (keyed by target year; a re-run replaces).

Every planned statement and what became of it (with who approved it), the readiness checklist,
and the state of each layout archive (so an interrupted release is finished by the next run).
"""

from __future__ import annotations

from typing import Any

from ebill_ops import db
from ebill_ops.config import common
from ebill_ops.intervals import local_now
from ebill_ops.yearend import layout, readiness
from ebill_ops.yearend.plan import Plan


def statement_row(
    plan: Plan,
    step: Any,
    position: int,
    statement: str,
    status: str,
    plan_id: str,
    run_id: str,
    approved_by: str | None,
    error: str | None,
) -> dict[str, Any]:
    return {
        "target_year": plan.target_year,
        "step_id": step.step_id,
        "statement_no": position,
        "kind": step.kind,
        "object_name": step.object_name,
        "statement": statement,
        "status": status,
        "plan_digest": plan_id,
        "run_id": run_id,
        "approved_by": approved_by,
        "updated_at": local_now(),
        "error": error,
    }


def save_planned(plan: Plan, plan_id: str, run_id: str) -> None:
    with db.connect(common().connections.ebops_db, read_only=False) as ops:
        ops.execute("yearend/ledger_clear_planned", {"target_year": plan.target_year})
        ops.executemany(
            "yearend/ledger_upsert",
            [
                statement_row(plan, step, i, statement, "planned", plan_id, run_id, None, None)
                for step in plan.steps
                for i, statement in enumerate(step.statements, start=1)
            ],
        )


def save_readiness(target_year: int, checks: list[readiness.Check], run_id: str) -> None:
    now = local_now()
    with db.connect(common().connections.ebops_db, read_only=False) as ops:
        ops.execute("yearend/readiness_delete", {"target_year": target_year})
        ops.executemany(
            "yearend/readiness_insert",
            [
                {
                    "target_year": target_year,
                    "check_id": c.check_id,
                    "title": c.title,
                    "passed": c.passed,
                    "severity": c.severity,
                    "detail": c.detail[:1000],
                    "items": "\n".join(c.items) or None,
                    "checked_at": now,
                    "run_id": run_id,
                }
                for c in checks
            ],
        )


def save_archive(root: str, target_year: int, result: layout.UnitResult, run_id: str) -> None:
    with db.connect(common().connections.ebops_db, read_only=False) as ops:
        ops.execute(
            "yearend/archive_upsert",
            {
                "layout_root": root,
                "archive_path": result.archive_path,
                "target_year": target_year,
                "period": result.period,
                "status": result.status,
                "files": result.files,
                "original_bytes": result.original_bytes,
                "archive_bytes": result.archive_bytes,
                "archive_sha256": result.archive_sha256,
                "removed": result.removed,
                "problems": len(result.problems),
                "run_id": run_id,
                "updated_at": local_now(),
            },
        )
