"""Year-end rules without services: readiness checklist, PostgreSQL plans, bounds, report, settings."""

from __future__ import annotations

import datetime as dt

import pytest
from markupsafe import escape
from pydantic import ValidationError

from ebill_ops.yearend import readiness, report
from ebill_ops.yearend.catalog import Catalog, parse_postgres_bound
from ebill_ops.yearend.layout import plan_units
from ebill_ops.yearend.plan import build_plan, periods
from ebill_ops.yearend.settings import LayoutSettings, YearEndSettings, cutoff

AS_OF = dt.date(2026, 12, 1)


# --- readiness ------------------------------------------------------------------------------


def codes(*rows):
    return [
        {
            "bill_batch_code": c,
            "bill_name": n,
            "bill_year": y,
            "valid_from": f"{y}-01-01",
            "valid_to": f"{y}-12-31",
        }
        for c, n, y in rows
    ]


def test_bill_codes_for_next_year():
    current = [("44060126", "门诊 outpatient", 2026), ("44060226", "住院 inpatient", 2026)]
    ok = readiness.check_bill_codes(
        codes(*current, ("44060127", "门诊", 2027), ("44060227", "住院", 2027)), 2027
    )
    assert ok.passed and ok.severity == "ok"
    missing = readiness.check_bill_codes(codes(*current, ("44060127", "门诊", 2027)), 2027)
    assert not missing.passed and missing.severity == "critical"
    assert missing.items == ["44060227 住院 inpatient"]
    assert not readiness.check_bill_codes([], 2027).passed


def test_stock_for_each_kind_a_point_issues():
    stock = [
        {"place_code": "MZ01", "place_name": "门诊", "bill_batch_code": "44060126", "remaining": 500},
        {"place_code": "MZ01", "place_name": "门诊", "bill_batch_code": "44060127", "remaining": 60000},
        {"place_code": "ZY01", "place_name": "住院", "bill_batch_code": "44060226", "remaining": 50},
        {"place_code": "ZY01", "place_name": "住院", "bill_batch_code": "44060227", "remaining": 0},
        {"place_code": "TJ01", "place_name": "体检", "bill_batch_code": None, "remaining": None},
    ]
    kinds = [{"place_code": "MZ01", "kind": "440601"}, {"place_code": "ZY01", "kind": "440602"}]
    check = readiness.check_stock(stock, kinds, 2027, 90)
    assert not check.passed and check.items == ["ZY01 住院: no 2027 stock for 44060227"]
    assert "TJ01" in check.detail  # issued nothing recently: reported, not failed
    stock[3]["remaining"] = 100
    assert readiness.check_stock(stock, kinds, 2027, 90).passed


def test_audits_overdue_and_known():
    cycles = [
        {
            "cycle_id": 1,
            "period_start": "2026-01-01",
            "period_end": "2026-06-30",
            "deadline": "2026-11-20",
            "result": None,
        },
        {
            "cycle_id": 2,
            "period_start": "2026-07-01",
            "period_end": "2026-10-31",
            "deadline": "2026-12-12",
            "result": None,
        },
        {
            "cycle_id": 3,
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
            "deadline": "2026-03-31",
            "result": 1,
        },
    ]
    overdue, known = readiness.check_audits(cycles, AS_OF)
    assert not overdue.passed and overdue.items[0].startswith("cycle 1") and "-11 days" in overdue.items[0]
    assert known.passed and "2026-12-12" in known.detail
    overdue, known = readiness.check_audits(cycles[2:], AS_OF)
    assert overdue.passed and not known.passed and known.severity == "warning"


# --- PostgreSQL plans (rows as pg_catalog returns them) -------------------------------------


def pg_rows(*, default=False, maxvalue=False, compacted=(), tablespaces=("pg_default", "pg_global")):
    tables = [
        {
            "owner": "ebill",
            "table_name": "bill",
            "partitioning_type": "RANGE",
            "key_columns": "ivc_date_time",
        },
        {"owner": "ebill", "table_name": "issuing_point", "partitioning_type": None},
    ]
    parts = []
    for year in (2023, 2024, 2025, 2026):
        name = f"bill_y{year}"
        parts.append(
            {
                "owner": "ebill",
                "table_name": "bill",
                "partition_name": name,
                "high_value": f"FOR VALUES FROM ('{year}-01-01 00:00:00') TO ('{year + 1}-01-01 00:00:00')",
                "tablespace_name": None,
                "options": "fillfactor=100" if name in compacted else None,
            }
        )
    if default:
        parts.append(
            {"owner": "ebill", "table_name": "bill", "partition_name": "bill_other", "high_value": "DEFAULT"}
        )
    if maxvalue:
        parts.append(
            {
                "owner": "ebill",
                "table_name": "bill",
                "partition_name": "bill_future",
                "high_value": "FOR VALUES FROM ('2027-01-01 00:00:00') TO (MAXVALUE)",
            }
        )
    return Catalog.from_rows(
        "postgresql",
        {
            "tables": tables,
            "table_partitions": parts,
            "tablespaces": [{"tablespace_name": t, "status": "ONLINE"} for t in tablespaces],
            "partition_sizes": [],
            "index_status": [],
        },
    )


def pg_settings(**section):
    return YearEndSettings.model_validate({"partitions": {"tables": [{"name": "bill"}]}, **section})


def test_postgres_plan_with_a_tablespace_location():
    cfg = pg_settings(tablespace={"pg_location": "/srv/pg/ebill_{year}"}, read_only={"enabled": True})
    plan = build_plan(pg_rows(), cfg, 2027, as_of=AS_OF)
    assert plan.statements[:2] == [
        "CREATE TABLESPACE ebill_data_2027 LOCATION '/srv/pg/ebill_2027'",
        "CREATE TABLE ebill.bill_y2027 PARTITION OF ebill.bill FOR VALUES FROM ('2027-01-01 00:00:00') "
        "TO ('2028-01-01 00:00:00') TABLESPACE ebill_data_2027",
    ]
    assert any("no read-only tablespaces" in s.reason for s in plan.skipped)
    existing = build_plan(pg_rows(tablespaces=("pg_default", "ebill_data_2027")), cfg, 2027, as_of=AS_OF)
    assert not [s for s in existing.steps if s.kind == "tablespace"]
    assert existing.statements[0].endswith("TABLESPACE ebill_data_2027")


def test_postgres_compaction_is_skipped_once_marked():
    plan = build_plan(pg_rows(compacted=("bill_y2023",)), pg_settings(), 2027, as_of=AS_OF)
    assert [s.partition for s in plan.steps if s.kind == "compress"] == ["bill_y2024"]
    assert any("already compacted" in s.reason for s in plan.skipped)


def test_postgres_default_partition_warns_and_maxvalue_is_left_to_a_person():
    plan = build_plan(pg_rows(default=True), pg_settings(), 2027, as_of=AS_OF)
    assert any("default partition bill_other" in w for w in plan.warnings)
    assert [s.partition for s in plan.steps if s.kind == "partition"] == ["bill_y2027"]
    plan = build_plan(pg_rows(maxvalue=True), pg_settings(), 2027, as_of=AS_OF)
    assert not [s for s in plan.steps if s.kind == "partition"]
    assert any("cannot split it" in w for w in plan.warnings)


def test_postgres_bounds():
    assert parse_postgres_bound("DEFAULT") == (None, None, True)
    low, high, _ = parse_postgres_bound("FOR VALUES FROM (MINVALUE) TO ('2024-01-01')")
    assert low is None and high == dt.datetime(2024, 1, 1)


def test_periods_and_cutoff():
    assert periods(2027, "yearly") == [(dt.datetime(2027, 1, 1), dt.datetime(2028, 1, 1))]
    months = periods(2028, "monthly")
    assert len(months) == 12 and months[1] == (dt.datetime(2028, 2, 1), dt.datetime(2028, 3, 1))
    assert months[-1][1] == dt.datetime(2029, 1, 1)
    assert cutoff(2027, 2) == dt.date(2025, 1, 1)


def test_layout_units_by_month_or_year():
    summary = [
        {"period_start": dt.date(2023, 1, 1), "files": 10, "bytes": 1000},
        {"period_start": dt.date(2023, 12, 1), "files": 5, "bytes": None},
    ]
    months = plan_units(summary, "month")
    assert [(u.period, u.start, u.end, u.files) for u in months] == [
        ("2023-01", "2023-01-01", "2023-02-01", 10),
        ("2023-12", "2023-12-01", "2024-01-01", 5),
    ]
    years = plan_units(summary, "year")
    assert [(u.period, u.end, u.files, u.bytes) for u in years] == [("2023", "2024-01-01", 15, 1000)]


def test_settings_reject_unsafe_or_unknown_values():
    with pytest.raises(ValidationError):
        YearEndSettings.model_validate({"tablespace": {"size": "lots"}})
    with pytest.raises(ValidationError):
        YearEndSettings.model_validate({"compression": {"compress": True}})  # typo: unknown key
    with pytest.raises(ValidationError, match="relative directory"):
        LayoutSettings(archive_dir="../elsewhere")


# --- report ---------------------------------------------------------------------------------


def test_report_renders_every_statement_skip_and_check():
    cfg = pg_settings()
    plan = build_plan(pg_rows(default=True), cfg, 2027, as_of=AS_OF)
    checks = [
        readiness.Check(
            "stock", "下一年号段库存 stock", False, "critical", "1 point", ["ZY01 住院: no 2027 stock"]
        ),
        readiness.Check(
            "audit_deadlines", "审验期限已知 audit deadlines known", True, "ok", "next 2026-12-12"
        ),
    ]
    context = {
        "site": "测试医院 Test Hospital <b>",
        "environment": "sandbox",
        "target_year": 2027,
        "digest": "0123456789abcdef",
        "mode": "dry_run",
        "run_id": "manual__x",
        "connection": "ebill_dba",
        "generated_at": "2026-12-01 09:00:00",
        "plan": plan.to_dict(),
        "layout": {
            "root": "local:/srv/layout",
            "cutoff": "2025-01-01",
            "units": [{"period": "2023-01", "files": 3, "bytes": 3000}],
            "files": 3,
            "bytes": 3000,
        },
        "readiness": [c.row() for c in checks],
        "how_to_approve": "approved_plan = 0123456789abcdef",
        "report_url": "file:///x/report.html",
    }
    html = report.render_html("yearend_report.html.j2", context)
    for statement in plan.statements:
        assert str(escape(f"{statement};")) in html
    assert "测试医院 Test Hospital &lt;b&gt;" in html  # escaped
    assert "未通过 FAIL" in html and "ZY01 住院" in html and "default partition bill_other" in html
    text = report.render_text(context)
    assert "0123456789abcdef" in text and "[FAIL] 下一年号段库存" in text and "2023-01: 3 files" in text
    markdown = report.render_markdown(context, limit=1)
    assert markdown.count("CREATE TABLE") == 1 and "more in the report" in markdown
    assert "Approve 批准" in markdown


def test_human_bytes():
    assert report.human_bytes(None) == "-"
    assert report.human_bytes(512) == "512 B"
    assert report.human_bytes(3 * 2**30) == "3.0 GiB"


def test_ledger_times_are_site_local():
    """People read the ledger and the report: times are Asia/Shanghai, not the worker's UTC clock."""
    from zoneinfo import ZoneInfo

    from ebill_ops.yearend import ledger
    from ebill_ops.yearend.plan import Plan, Step

    step = Step(step_id="tablespace:x", kind="tablespace", object_name="x", statements=("s",), reason="r")
    row = ledger.statement_row(
        Plan("postgresql", 2027, "2026-12-01"), step, 1, "s", "planned", "d", "r", None, None
    )
    site = dt.datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
    utc = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    assert abs(row["updated_at"] - site) < abs(row["updated_at"] - utc)  # 8 hours apart
