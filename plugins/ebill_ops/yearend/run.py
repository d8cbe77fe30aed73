"""What the ``ebill_year_end`` tasks call: read, plan, report, gate, apply, verify, archive.

Connections: the dictionary is read and DDL is run with ``ebill_dba`` (the owner account; never
``ebill_db``), readiness and the layout summary are read with ``ebill_db``, the layout-file index
is updated with ``yearend.layout.index_conn_id`` (default ``ebill_dba``), and our own ledger
goes to ``ebops_db``. The reviewed plan travels as an artifact (its URL and digest in XCom).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from ebill_ops import alerts, artifacts, db
from ebill_ops.config import common, section
from ebill_ops.paths import project_home
from ebill_ops.yearend import apply as applying
from ebill_ops.yearend import layout, ledger, readiness, report
from ebill_ops.yearend.catalog import QUERIES, Catalog
from ebill_ops.yearend.fileserver import FileServer, LocalFileServer, SshFileServer
from ebill_ops.yearend.plan import Plan, Step, build_plan, digest
from ebill_ops.yearend.settings import YearEndSettings, cutoff

log = logging.getLogger(__name__)
DAG_ID = "ebill_year_end"
PARTS = ("database", "layout")


class NotApproved(RuntimeError):
    """The form named a plan digest that is not this run's plan."""


def settings() -> YearEndSettings:
    return section("yearend", YearEndSettings)


def target_of(params: dict[str, Any] | None, as_of: dt.date) -> int:
    """The ``target_year`` param, or the year after the as-of day (early December: next year)."""
    value = (params or {}).get("target_year")
    if value in (None, ""):
        return as_of.year + 1
    year = int(value)
    if not as_of.year - 1 <= year <= as_of.year + 2:
        raise ValueError(f"target_year {year} is too far from {as_of}: year-end work plans next year")
    return year


def parts_of(params: dict[str, Any] | None) -> list[str]:
    chosen = list((params or {}).get("parts") or PARTS)
    unknown = set(chosen) - set(PARTS)
    if unknown:
        raise ValueError(f"unknown parts {sorted(unknown)}: choose from {list(PARTS)}")
    return chosen


# --- reading --------------------------------------------------------------------------------


def read_catalog(dba: db.Db, cfg: YearEndSettings) -> Catalog:
    """The five dictionary queries for every owner of the configured tables."""
    owners = sorted({cfg.table_owner(t) for t in cfg.partitions.tables})
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in QUERIES}
    for name in QUERIES:
        if name == "tablespaces":
            rows[name] = dba.rows("yearend/tablespaces")
            continue
        for owner in owners:
            value = owner.upper() if dba.dialect == "oracle" else owner.lower()
            rows[name] += dba.rows(f"yearend/{name}", {"owner": value})
    return Catalog.from_rows(dba.dialect, rows)


def plan_database(cfg: YearEndSettings, target_year: int, as_of: dt.date) -> Plan:
    with db.connect(common().connections.ebill_dba) as dba:
        return build_plan(read_catalog(dba, cfg), cfg, target_year, as_of=as_of)


def layout_root(cfg: YearEndSettings) -> str:
    return cfg.layout.root.replace("{home}", str(project_home()))


def file_server(cfg: YearEndSettings) -> FileServer:
    if cfg.layout.transport == "ssh":
        return SshFileServer(
            cfg.layout.ssh_conn_id, layout_root(cfg), timeout=cfg.layout.command_timeout_seconds
        )
    return LocalFileServer(layout_root(cfg))


def plan_layout(cfg: YearEndSettings, target_year: int) -> dict[str, Any] | None:
    if not cfg.layout.enabled:
        return None
    before = cutoff(target_year, cfg.layout.older_than_years)
    with db.connect(common().connections.ebill_db) as bill:
        summary = bill.rows("yearend/layout_summary", {"before": before})
    units = layout.plan_units(summary, cfg.layout.group_by)
    root = file_server(cfg).describe()
    with db.connect(common().connections.ebops_db) as ops:
        # Archives an earlier run built but did not finish releasing (interrupted, or damaged).
        pending = ops.rows("yearend/archives_pending", {"layout_root": root})
    return {
        "root": root,
        "cutoff": before.isoformat(),
        "units": [u.__dict__ for u in units],
        "files": sum(u.files for u in units),
        "bytes": sum(u.bytes for u in units),
        "pending": [{"archive_path": r["archive_path"], "status": r["status"]} for r in pending],
    }


def check_readiness(target_year: int, as_of: dt.date, plan: Plan | None) -> list[readiness.Check]:
    cfg = settings()
    current = target_year - 1
    with db.connect(common().connections.ebill_db) as bill:
        codes = bill.rows("yearend/bill_codes", {"current_year": current, "target_year": target_year})
        stock = bill.rows(
            "yearend/point_stock",
            {"current_year2": f"{current % 100:02d}", "target_year2": f"{target_year % 100:02d}"},
        )
        until = dt.datetime.combine(as_of, dt.time())
        since = until - dt.timedelta(days=cfg.readiness_recent_days)
        kinds = bill.rows("yearend/point_kinds", {"since": since, "until": until + dt.timedelta(days=1)})
        cycles = bill.rows("yearend/audit_cycles", {"as_of": as_of})
    return readiness.assess(
        target_year=target_year,
        as_of=as_of,
        codes=codes,
        stock=stock,
        kinds=kinds,
        cycles=cycles,
        plan=plan,
        recent_days=cfg.readiness_recent_days,
    )


# --- plan and review --------------------------------------------------------------------------


def plan_digest(plan: Plan | None, layout_plan: dict[str, Any] | None, target_year: int) -> str:
    units = [[u["period"], u["files"], u["bytes"]] for u in (layout_plan or {}).get("units", [])]
    pending = [p["archive_path"] for p in (layout_plan or {}).get("pending", [])]
    return digest(
        target_year, plan.dialect if plan else None, plan.fingerprint() if plan else [], units, pending
    )


def how_to_approve(target_year: int, plan_id: str) -> str:
    base = common().alerts.airflow_base_url.rstrip("/")
    return (
        "默认为演练，未做任何变更。This run changed nothing (dry run).\n"
        f"To apply exactly this plan, trigger {DAG_ID} with: mode = apply, target_year = {target_year}, "
        f"approved_plan = {plan_id}\n"
        "— or with mode = apply alone, then approve in the Airflow UI (Required Actions 待办审批): "
        f"{base}/dags/{DAG_ID}\n"
        "If the database changes in between, the digest changes and nothing is applied."
    )


def make_plan(
    *, target_year: int, as_of: dt.date, parts: list[str], mode: str, run_id: str
) -> dict[str, Any]:
    """Plan the database and the layout files, check readiness; keep it as an artifact and in ebops."""
    cfg = settings()
    site = common()
    plan = plan_database(cfg, target_year, as_of) if "database" in parts else None
    layout_plan = plan_layout(cfg, target_year) if "layout" in parts else None
    checks = check_readiness(target_year, as_of, plan)
    plan_id = plan_digest(plan, layout_plan, target_year)
    context = {
        "site": site.site_name,
        "environment": site.environment,
        "target_year": target_year,
        "digest": plan_id,
        "mode": mode,
        "parts": parts,
        "run_id": run_id,
        "connection": site.connections.ebill_dba,
        "generated_at": ledger.local_now().isoformat(sep=" "),
        "plan": (
            plan
            or Plan(
                dialect=db.dialect_of(site.connections.ebill_dba),
                target_year=target_year,
                as_of=as_of.isoformat(),
            )
        ).to_dict(),
        "planned_database": plan is not None,
        "layout": layout_plan,
        "readiness": [c.row() for c in checks],
        "how_to_approve": how_to_approve(target_year, plan_id),
    }
    plan_url = artifacts.write_text(
        json.dumps(context, ensure_ascii=False, indent=1, default=str),
        "yearend",
        str(target_year),
        f"plan-{plan_id}.json",
    )
    context["report_url"] = artifacts.write_text(
        report.render_html("yearend_report.html.j2", {**context, "report_url": ""}),
        "yearend",
        str(target_year),
        f"report-{plan_id}.html",
    )
    log.info("%s", report.render_text(context))
    if plan is not None:
        ledger.save_planned(plan, plan_id, run_id)
    ledger.save_readiness(target_year, checks, run_id)
    steps = context["plan"]["steps"]
    return {
        "target_year": target_year,
        "as_of": as_of.isoformat(),
        "digest": plan_id,
        "mode": mode,
        "parts": parts,
        "dialect": context["plan"]["dialect"],
        "statements": sum(len(s["statements"]) for s in steps),
        "steps": {
            kind: sum(1 for s in steps if s["kind"] == kind)
            for kind in ("tablespace", "partition", "compress", "read_only")
        },
        "skipped": len(context["plan"]["skipped"]),
        "warnings": len(context["plan"]["warnings"]),
        "layout_units": len((layout_plan or {}).get("units", [])),
        "layout_pending": len((layout_plan or {}).get("pending", [])),
        "layout_files": (layout_plan or {}).get("files", 0),
        "readiness_failed": [c.check_id for c in checks if not c.passed],
        "plan_url": plan_url,
        "report_url": context["report_url"],
        "markdown": report.render_markdown(context),
    }


def load_context(plan_url: str) -> dict[str, Any]:
    from airflow.sdk import ObjectStoragePath

    return json.loads(ObjectStoragePath(plan_url).read_text())


def mail_review(summary: dict[str, Any]) -> bool:
    """The report by e-mail: an alert when readiness fails, a report otherwise."""
    context = load_context(summary["plan_url"])
    context["report_url"] = summary["report_url"]
    html = report.render_html("yearend_report.html.j2", context)
    failed = summary["readiness_failed"]
    kind = "alert" if failed or summary["warnings"] else "report"
    detail = (
        f"{summary['target_year']} plan {summary['digest']}: {summary['statements']} statement(s), "
        f"{summary['layout_files']} layout file(s)"
        + (f", readiness FAIL: {', '.join(failed)}" if failed else ", readiness ok")
    )
    alerts.send_mail(alerts.subject(kind, DAG_ID, detail), html)
    return True


def gate(summary: dict[str, Any], params: dict[str, Any] | None) -> str | None:
    """Which approval applies: None (dry run or nothing to do), "form" or "ui"."""
    params = params or {}
    if params.get("mode", "dry_run") != "apply":
        if params.get("approved_plan"):
            log.warning("approved_plan is ignored in a dry run (mode = dry_run)")
        log.info("dry run: nothing is changed 演练，不做变更")
        return None
    if not summary["statements"] and not summary["layout_units"] and not summary.get("layout_pending"):
        log.info("nothing to apply: the plan is empty 无需变更")
        return None
    approved = (params.get("approved_plan") or "").strip().lower()
    if approved:
        if approved != summary["digest"]:
            raise NotApproved(
                f"approved_plan {approved} is not this run's plan {summary['digest']}: the database or the "
                "files changed since that report, or the digest is mistyped. Nothing was changed. Review "
                f"the new report ({summary['report_url']}) and approve its digest."
            )
        return "form"
    return "ui"


# --- apply and verify -------------------------------------------------------------------------


def approver(approval: dict[str, Any] | None, triggering_user: str | None) -> str:
    if approval and approval.get("responded_by_user"):
        user = approval["responded_by_user"]
        return f"{user.get('name')} ({user.get('id')}) via Airflow UI"
    return f"{triggering_user or 'unknown'} via trigger form (approved_plan)"


def apply_database(summary: dict[str, Any], *, approved_by: str, run_id: str) -> dict[str, Any]:
    """Re-plan, keep only reviewed steps, run them one by one on the owner account."""
    cfg = settings()
    context = load_context(summary["plan_url"])
    reviewed = Plan.from_dict(context["plan"])
    conns = common().connections
    with db.connect(conns.ebill_dba, read_only=False, autocommit=True) as dba:
        fresh = build_plan(
            read_catalog(dba, cfg), cfg, reviewed.target_year, as_of=dt.date.fromisoformat(reviewed.as_of)
        )
        steps, done = applying.reconcile(reviewed, fresh)
        with db.connect(conns.ebops_db, read_only=False, autocommit=True) as ops:

            def record(step: Any, number: int, statement: str, status: str, error: str | None) -> None:
                position = step.statements.index(statement) + 1
                ops.execute(
                    "yearend/ledger_upsert",
                    ledger.statement_row(
                        reviewed,
                        step,
                        position,
                        statement,
                        status,
                        summary["digest"],
                        run_id,
                        approved_by,
                        error,
                    ),
                )

            result = applying.apply_steps(
                dba, dba.dialect, steps, lock_timeout_seconds=cfg.lock_timeout_seconds, on_statement=record
            )
    result.already_done = done
    outcome = {
        **result.to_dict(),
        "approved_by": approved_by,
        "steps": [s.to_dict() for s in steps if s.step_id not in result.remaining],
    }
    artifacts.write_text(
        json.dumps(outcome, ensure_ascii=False, indent=1),
        "yearend",
        str(reviewed.target_year),
        f"apply-{summary['digest']}.json",
    )
    if not result.ok:
        _mail_result(
            summary,
            approved_by,
            run_id,
            apply=outcome,
            title="年末计划执行失败 Year-end apply FAILED",
            kind="critical",
        )
    return outcome


def verify_database(summary: dict[str, Any], outcome: dict[str, Any], *, run_id: str) -> dict[str, Any]:
    cfg = settings()
    steps = [Step.from_dict(s) for s in outcome["steps"]]
    with db.connect(common().connections.ebill_dba) as dba:
        after = read_catalog(dba, cfg)
        counts_after = {
            s.step_id: applying.count_partitions(dba, dba.dialect, s, after=True)
            for s in steps
            if s.step_id in outcome["counts_before"]
        }
    fresh = build_plan(after, cfg, summary["target_year"], as_of=dt.date.fromisoformat(summary["as_of"]))
    checks = applying.verify(
        steps,
        after,
        fresh,
        counts_before=outcome["counts_before"],
        counts_after=counts_after,
        compress_for=cfg.compression.oracle_type.upper(),
    )
    failed = [c for c in checks if not c.passed]
    for check in checks:
        log.info(
            "[%s] %s %s: %s", "PASS" if check.passed else "FAIL", check.check, check.object_name, check.detail
        )
    _mail_result(
        summary,
        outcome["approved_by"],
        run_id,
        apply=outcome,
        checks=[c.row() for c in checks],
        title=f"年末计划已执行 Year-end plan {summary['target_year']} applied"
        + (" — 校验失败 VERIFICATION FAILED" if failed else ", verified"),
        kind="critical" if failed else "report",
    )
    return {
        "applied_statements": len(outcome["applied"]),
        "already_done": outcome["already_done"],
        "checks": len(checks),
        "failed_checks": [f"{c.check} {c.object_name}: {c.detail}" for c in failed],
        "remaining_steps": len(fresh.steps),
    }


# --- layout files ---------------------------------------------------------------------------


def pack_layout(summary: dict[str, Any], *, run_id: str) -> dict[str, Any]:
    """Build (or find intact) one archive per reviewed period; removes nothing."""
    cfg = settings()
    context = load_context(summary["plan_url"])
    units = (context.get("layout") or {}).get("units", [])
    fs = file_server(cfg)
    results = []
    try:
        with db.connect(common().connections.ebill_db) as bill:
            for unit in units:
                rows = bill.rows(
                    "yearend/layout_unit_files",
                    {
                        "period_start": dt.date.fromisoformat(unit["start"]),
                        "period_end": dt.date.fromisoformat(unit["end"]),
                    },
                )
                result = layout.pack(
                    fs,
                    unit["period"],
                    rows,
                    archive_dir=cfg.layout.archive_dir,
                    compresslevel=cfg.layout.compresslevel,
                    now=ledger.local_now(),
                )
                log.info(
                    "pack %s: %s %s (%d files) %s",
                    unit["period"],
                    result.status,
                    result.archive_path,
                    result.files,
                    "; ".join(result.problems[:5]),
                )
                results.append(result)
                if result.archive_path:
                    ledger.save_archive(fs.describe(), summary["target_year"], result, run_id)
    finally:
        fs.close()
    return {
        "built": sum(r.status == "built" for r in results),
        "reused": sum(r.status == "reused" for r in results),
        "units": [r.row() for r in results],
    }


def mark_archived(bill_ids: list[int], archive_path: str) -> None:
    """Record in the layout-file index that these bills' files are now inside ``archive_path``."""
    cfg = settings()
    now = ledger.local_now()
    with db.connect(cfg.layout.index_conn_id or common().connections.ebill_dba, read_only=False) as index:
        index.executemany(
            "yearend/layout_mark_archived",
            [{"archive_path": archive_path, "archived_time": now, "bill_id": b} for b in bill_ids],
        )


def release_layout(summary: dict[str, Any], packed: dict[str, Any], *, run_id: str) -> dict[str, Any]:
    """Verify every pending archive by reading it back; then index it and remove the originals."""
    cfg = settings()
    fs = file_server(cfg)
    root = fs.describe()
    results = []
    try:
        with db.connect(common().connections.ebops_db) as ops:
            pending = [r["archive_path"] for r in ops.rows("yearend/archives_pending", {"layout_root": root})]
        for path in pending:
            result = layout.release(fs, path, mark_archived)
            log.info(
                "release %s: %s, %d removed %s",
                path,
                result.status,
                result.removed,
                "; ".join(result.problems[:5]),
            )
            results.append(result)
            ledger.save_archive(root, summary["target_year"], result, run_id)
    finally:
        fs.close()
    problems = [r for r in results if r.status == "corrupt"]
    notes = [u for u in [*packed.get("units", []), *[r.row() for r in results]] if u["problems"]]
    if problems or notes:
        _mail_result(
            summary,
            "-",
            run_id,
            layout=[*packed.get("units", []), *[r.row() for r in results]],
            title="版式文件归档有问题 Layout archiving: problems found"
            if problems
            else "版式文件归档 Layout archiving: notes",
            kind="critical" if problems else "alert",
        )
    return {
        "released": sum(r.status == "released" for r in results),
        "removed": sum(r.removed for r in results),
        "corrupt": [r.archive_path for r in problems],
        "units": [r.row() for r in results],
    }


def locate(bill_id: int) -> dict[str, Any]:
    """Where a bill's layout file is now (index row), for people and for the tests."""
    with db.connect(common().connections.ebill_db) as bill:
        row = bill.one("yearend/layout_locate", {"bill_id": bill_id})
    if row is None:
        raise LookupError(f"bill {bill_id} has no layout file in the index")
    return row


def read_layout_file(bill_id: int) -> bytes:
    """The bytes of a bill's layout file, from its archive when it was archived."""
    row = locate(bill_id)
    fs = file_server(settings())
    try:
        return layout.extract(fs, row["file_path"], row["archive_path"])
    finally:
        fs.close()


# --- mails ----------------------------------------------------------------------------------


def _mail_result(
    summary: dict[str, Any],
    approved_by: str,
    run_id: str,
    *,
    title: str,
    kind: str,
    apply: dict[str, Any] | None = None,
    checks: list[dict[str, Any]] | None = None,
    layout: list[dict[str, Any]] | None = None,
) -> None:
    site = common()
    html = report.render_html(
        "yearend_result.html.j2",
        {
            "title": title,
            "site": site.site_name,
            "environment": site.environment,
            "target_year": summary["target_year"],
            "digest": summary["digest"],
            "approved_by": approved_by,
            "run_id": run_id,
            "runbook": alerts.runbook_link(DAG_ID),
            "apply": apply,
            "checks": checks,
            "layout": layout,
        },
    )
    url = artifacts.write_text(
        html, "yearend", str(summary["target_year"]), f"result-{summary['digest']}-{kind}.html"
    )
    alerts.send_mail(
        alerts.subject(kind, DAG_ID, f"{summary['target_year']} {title}"), html + f"<p>{url}</p>"
    )
