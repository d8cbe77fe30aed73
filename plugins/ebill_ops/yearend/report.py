"""The review report: what will change, what is skipped and why, sizes, readiness, how to approve.

One context, three renderings: HTML (file and mail, ``include/templates/yearend_*.html.j2``),
plain text for the task log, and short Markdown for the approver's screen in the Airflow UI.
Labels are Chinese first with English beside them.
"""

from __future__ import annotations

from typing import Any

STATUS = {True: "通过 PASS", False: "未通过 FAIL"}
KIND_LABEL = {
    "tablespace": "表空间 tablespace",
    "partition": "分区 partition",
    "compress": "压缩 compression",
    "read_only": "只读 read-only",
    "layout": "版式文件 layout files",
}


def human_bytes(value: Any) -> str:
    if value is None:
        return "-"
    size = float(value)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(size) < 1024 or unit == "TiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TiB"


def _environment() -> Any:
    import jinja2

    from ebill_ops.paths import templates_dir

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["bytes"] = human_bytes
    env.globals.update(STATUS=STATUS, KIND_LABEL=KIND_LABEL)
    return env


def render_html(template: str, context: dict[str, Any]) -> str:
    """``template`` is ``yearend_report.html.j2`` (review) or ``yearend_result.html.j2`` (apply)."""
    return _environment().get_template(template).render(**context)


def render_text(context: dict[str, Any]) -> str:
    """The review for the task log: every statement, every skip, the checklist."""
    plan = context["plan"]
    lines = [
        f"年末计划 Year-end plan {context['target_year']} — {context['site']} [{context['environment']}]",
        f"digest 计划摘要: {context['digest']}   dialect: {plan['dialect']}   as of: {plan['as_of']}",
        "",
        f"语句 Statements ({sum(len(s['statements']) for s in plan['steps'])}):",
    ]
    number = 0
    for step in plan["steps"]:
        lines.append(
            f"  -- {step['step_id']}: {step['reason']} (est. {human_bytes(step['estimated_bytes'])})"
        )
        for statement in step["statements"]:
            number += 1
            lines.append(f"  {number:>3}. {statement};")
    if not plan["steps"]:
        lines.append("  (none: the database is ready 无需变更)")
    lines.append(f"跳过 Skipped ({len(plan['skipped'])}):")
    lines += [f"  - {s['kind']} {s['object_name']}: {s['reason']}" for s in plan["skipped"]]
    if plan["warnings"]:
        lines.append("注意 Warnings:")
        lines += [f"  ! {w}" for w in plan["warnings"]]
    layout = context.get("layout")
    if layout:
        lines.append(
            f"版式文件 Layout files before {layout['cutoff']} on {layout['root']}: "
            f"{layout['files']} files, {human_bytes(layout['bytes'])} in {len(layout['units'])} archive(s)"
        )
        lines += [
            f"  - {u['period']}: {u['files']} files, {human_bytes(u['bytes'])}" for u in layout["units"]
        ]
        lines += [
            f"  - 待完成 pending: {p['archive_path']} ({p['status']})" for p in layout.get("pending", [])
        ]
    lines.append("业务准备 Readiness:")
    for check in context["readiness"]:
        lines.append(f"  [{'PASS' if check['passed'] else 'FAIL'}] {check['title']}: {check['detail']}")
        lines += [f"        - {item}" for item in check["items"][:20]]
    lines.append(context["how_to_approve"])
    return "\n".join(lines)


def render_markdown(context: dict[str, Any], *, limit: int = 40) -> str:
    """What the approver reads on the Required Actions page: short, with the full report linked."""
    plan = context["plan"]
    statements = [s for step in plan["steps"] for s in step["statements"]]
    out = [
        f"**{context['site']}** [{context['environment']}] — 年末计划 year-end plan **{context['target_year']}**",
        f"Plan digest 计划摘要: `{context['digest']}` — report 报告: {context['report_url']}",
        "",
        f"**{len(statements)} statements 语句** ({plan['dialect']}):",
        "```sql",
        *[f"{s};" for s in statements[:limit]],
        *([f"-- ... {len(statements) - limit} more in the report"] if len(statements) > limit else []),
        "```",
    ]
    layout = context.get("layout")
    if layout and layout["units"]:
        out.append(
            f"**版式文件 Layout files**: archive {layout['files']} files ({human_bytes(layout['bytes'])}) older "
            f"than {layout['cutoff']} into {len(layout['units'])} archive(s); originals removed only after read-back."
        )
    if layout and layout.get("pending"):
        out.append(
            f"**待完成 Pending**: {len(layout['pending'])} archive(s) of an earlier run to read back and release."
        )
    failed = [c for c in context["readiness"] if not c["passed"]]
    if failed:
        out.append("**业务准备未通过 Readiness not passed**: " + "; ".join(c["title"] for c in failed))
    if plan["warnings"]:
        out.append("**注意 Warnings**: " + "; ".join(plan["warnings"][:5]))
    out.append("Approve 批准 = apply exactly this plan. Reject 拒绝 = change nothing.")
    return "\n".join(out)
