"""Invoice quality without services: the rule table, settings, the GX suite on DataFrames,
failure records for absurd values, the fix-list workbook and the mail."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from pydantic import ValidationError

from ebill_ops.quality import report
from ebill_ops.quality.fixlist import Workbook, detail_fields
from ebill_ops.quality.outcome import RuleOutcome, merge
from ebill_ops.quality.records import failure_record, text
from ebill_ops.quality.rules import CATALOGUE, RULES, QualitySettings, active_rules
from sandbox.generator.anomalies import SPEC_RULES

AS_OF = dt.datetime(2026, 12, 1, 10, 0)


def test_catalogue_covers_every_rule_of_the_generator_with_its_exact_id():
    assert set(SPEC_RULES) <= set(RULES)
    assert len({r.id for r in CATALOGUE}) == len(CATALOGUE)
    for rule in CATALOGUE:
        assert rule.severity in ("critical", "warning") and rule.source in (
            "regulation",
            "vendor_spec",
            "local_practice",
        )
        assert rule.title_zh and rule.title_en and rule.fix_zh
        assert rule.check != "regex" or rule.pattern
        assert rule.check != "range" or rule.low is not None or rule.high is not None


def test_site_settings_turn_rules_off_change_severity_and_tolerance():
    cfg = QualitySettings(
        rules={
            "payer_present": {"enabled": False},
            "payment_split_balance": {"severity": "critical", "tolerance": 0.01},
            "code_format": {"pattern": r"^[0-9]{8,10}$"},
        }
    )
    rules = {r.id: r for r in active_rules(cfg)}
    assert "payer_present" not in rules and len(rules) == len(CATALOGUE) - 1
    split = rules["payment_split_balance"]
    assert split.severity == "critical" and split.bounds() == (-0.01, 0.01)
    assert rules["code_format"].pattern == r"^[0-9]{8,10}$"
    assert rules["issue_not_future"].bounds(AS_OF) == (None, AS_OF + dt.timedelta(seconds=300))
    assert rules["red_at_most_one"].bounds() == (0, 1)
    assert rules["business_time_plausible"].bounds() == (None, 90 * 86_400.0)
    assert QualitySettings(max_issue_lag_days=7).model_dump()["max_issue_lag_days"] == 7


@pytest.mark.parametrize(
    "bad",
    [
        {"no_such_rule": {"enabled": False}},
        {"red_at_most_one": {"tolerance": 1}},  # a count takes no tolerance
        {"items_sum_total": {"pattern": "x"}},  # only format rules take a pattern
        {"code_format": {"pattern": "([unclosed"}},
        {"code_format": {"pattern": "^(?P<code>[0-9]{8})$"}},  # Python-only: the database reads it too
        {"items_sum_total": {"tolerance": -1}},
    ],
)
def test_bad_settings_are_clear_errors(bad):
    with pytest.raises(ValidationError):
        QualitySettings(rules=bad)


def _row(**overrides):
    """A clean per-bill row of quality/bill_checks (blue outpatient bill)."""
    row = {
        "bill_id": 1,
        "ivc_date_time": dt.datetime(2026, 11, 30, 10, 0, 2),
        "bus_date_time": dt.datetime(2026, 11, 30, 10, 0, 0),
        "bus_no": "0220261130000001",
        "bus_type": "02",
        "place_code": "MZ01",
        "bill_batch_code": "44060126",
        "bill_no": "0100000001",
        "check_code": "AB12CD",
        "payer": "张三",
        "total_amt": 100.0,
        "code_text": "44060126",
        "number_text": "0100000001",
        "check_code_text": "AB12CD",
        "payer_name": "张三",
        "issue_lag_seconds": 2.0,
        "inpatient_defects": None,
        "outpatient_defects": 0,
        "split_diff": 0.0,
        "channel_sum": 100.0,
        "channel_diff": 0.0,
        "item_count": 2,
        "item_amt_sum": 100.0,
        "item_product_max_diff": 0.0,
        "sort_sequence_broken": 0,
        "sort_min": 1,
        "sort_max": 2,
        "zero_amount_items": 0,
        "negative_price_items": 0,
        "items_without_code": 0,
        "items_diff": 0.0,
        "blue_count": None,
        "blue_amt": None,
        "red_blue_amount_diff": None,
        "red_count": 0,
    }
    row.update(overrides)
    return row


# One bad row per rule: the rule it must fail (and no other).
BAD_ROWS = {
    "code_format": {"code_text": "4406012"},
    "number_format": {"number_text": "X100000001"},
    "check_code_format": {"check_code_text": "AB12-"},
    "payer_present": {"payer_name": None},
    "issue_after_business": {"issue_lag_seconds": -300.0},
    "issue_not_future": {"ivc_date_time": dt.datetime(2026, 12, 21, 10, 0)},
    "business_time_plausible": {"issue_lag_seconds": 91 * 86_400.0},
    "inpatient_fields": {"bus_type": "01", "inpatient_defects": 1, "outpatient_defects": None},
    "outpatient_fields": {"outpatient_defects": 1},
    "payment_split_balance": {"split_diff": -1.0},
    "channels_sum_total": {"channel_diff": -0.5},
    "item_amount_product": {"item_product_max_diff": 0.01},
    "item_sort_sequence": {"sort_sequence_broken": 1},
    "item_nonzero": {"zero_amount_items": 1},
    "item_unit_price_nonnegative": {"negative_price_items": 1},
    "item_charge_code_present": {"items_without_code": 1},
    "items_sum_total": {"items_diff": 1.0},
    "red_has_blue": {"red_count": None, "blue_count": 0},
    "red_amount_equals_blue": {"red_count": None, "blue_count": 1, "red_blue_amount_diff": -12.5},
    "red_at_most_one": {"red_count": 2},
}


def test_bad_rows_cover_every_rule():
    assert set(BAD_ROWS) == set(RULES)


@pytest.fixture(scope="module")
def gx_session():
    from ebill_ops.quality.gxrun import GxSession

    with GxSession(
        active_rules(QualitySettings()), AS_OF, dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)
    ) as s:
        yield s


def test_gx_suite_finds_each_bad_row_under_its_rule_only(gx_session):
    import pandas as pd

    from ebill_ops.quality.engines import _frame
    from ebill_ops.quality.outcome import outcomes_from_gx

    rows = [_row(bill_id=1)]  # clean
    expected = {}
    for index, (rule_id, overrides) in enumerate(sorted(BAD_ROWS.items()), start=2):
        rows.append(_row(bill_id=index, **overrides))
        expected[rule_id] = index
    red_ok = _row(bill_id=99, red_count=None, blue_count=1, red_blue_amount_diff=0.0)  # a clean red bill
    rows.append(red_ok)
    frame = _frame(list(rows[0]), [tuple(r.values()) for r in rows], active_rules(QualitySettings()))
    result = gx_session.validate_frame(frame, "unit")
    outcomes = outcomes_from_gx(result, gx_session.rules)
    failing = {}
    for item in result.results:
        positions = item.result.get("unexpected_index_list") or []
        failing[item.expectation_config.meta["rule"]] = {int(frame.iloc[p]["bill_id"]) for p in positions}
    assert failing == {rule_id: {bill} for rule_id, bill in expected.items()}
    assert all(o.failed == 1 and o.error is None for o in outcomes.values())
    # Not applicable is not "checked": only the one inpatient row counts for the inpatient rule.
    assert outcomes["inpatient_fields"].checked == 1
    assert outcomes["red_has_blue"].checked == 3  # two bad red rows and the clean red bill
    assert isinstance(frame, pd.DataFrame)


def test_oracle_empty_string_is_null_and_still_fails_the_format(gx_session):
    from ebill_ops.quality.engines import _frame
    from ebill_ops.quality.outcome import outcomes_from_gx

    row = _row(code_text=None, number_text=None, check_code_text=None)  # Oracle: '' IS NULL
    frame = _frame(list(row), [tuple(row.values())], gx_session.rules)
    outcomes = outcomes_from_gx(gx_session.validate_frame(frame, "oracle-null"), gx_session.rules)
    assert {k for k, o in outcomes.items() if o.failed} == {
        "code_format",
        "number_format",
        "check_code_format",
    }


def test_absurd_values_become_bounded_records():
    rule = active_rules(QualitySettings())[0]  # code_format
    row = _row(
        bill_id=2**62,
        bill_batch_code="",
        code_text="",
        bus_no="B" * 10_000,
        total_amt=Decimal("1234567890.12"),
        bus_date_time=dt.datetime(1900, 1, 1),
        payer="备注" * 100_000,
    )
    record = failure_record(
        rule, row, check_day=dt.date(2026, 11, 30), engine="pandas", run_id="r", found_at=AS_OF
    )
    assert record["bill_id"] == 2**62 and record["bill_batch_code"] == ""
    assert len(record["bus_no"]) == 64 and record["total_amt"] == Decimal("1234567890.12")
    assert record["bus_date_time"] == dt.datetime(1900, 1, 1)
    assert len(record["detail"]) <= 4000 and json.loads(record["detail"]) == {"bill_batch_code": ""}
    huge = failure_record(
        RULES_ACTIVE["payer_present"],
        row,
        check_day=dt.date(2026, 11, 30),
        engine="x",
        run_id="r",
        found_at=AS_OF,
    )
    assert len(huge["detail"]) <= 4000 and len(huge["observed"] or "") <= 200
    assert text(float("nan")) is None and text(Decimal("0.500")) == "0.5" and text(1.25) == "1.25"


RULES_ACTIVE = {r.id: r for r in active_rules(QualitySettings())}


def test_outcomes_add_up_across_chunks_and_give_pass_rates():
    a = RuleOutcome("items_sum_total", "critical", "local_practice", 100, 100, 2)
    b = RuleOutcome("items_sum_total", "critical", "local_practice", 50, 50, 0)
    total = merge([{"items_sum_total": a}, {"items_sum_total": b}])["items_sum_total"]
    assert (total.bills, total.checked, total.failed, total.status) == (150, 150, 2, "failed")
    assert total.pass_rate == round(1 - 2 / 150, 6)
    assert RuleOutcome("red_has_blue", "critical", "vendor_spec", 10, 0, 0).status == "n/a"
    assert RuleOutcome("x", "warning", "vendor_spec", 1, 1, 0, "boom").status == "error"


def test_workbook_has_chinese_and_english_headers_and_never_formulas():
    from openpyxl import load_workbook

    book = Workbook("票据质量整改清单 Invoice quality fix list", {"日期 Days": "2026-11-30"})
    failures = [
        {
            "check_day": dt.date(2026, 11, 30),
            "bill_id": 123456789012345678,
            "bus_no": '=HYPERLINK("http://x")',
            "place_code": "MZ01",
            "bus_type": "02",
            "bill_batch_code": "4406012",
            "bill_no": "0100000001",
            "bus_date_time": dt.datetime(1900, 1, 1),
            "ivc_date_time": dt.datetime(2026, 11, 30, 10, 0),
            "total_amt": Decimal("1234567890.12"),
            "observed": "4406012",
            "detail": json.dumps({"bill_batch_code": "4406012"}),
            "severity": "critical",
        }
    ]
    line = {
        "rule_id": "code_format",
        "title": "x",
        "severity": "critical",
        "source": "s",
        "checked": 9,
        "failed": 1,
    }
    sheet = book.rule_sheet("code_format", failures, cap=10, total=3)
    book.summary_line({**line, "pass_rate": 0.9}, sheet)
    loaded = load_workbook(io.BytesIO(book.finish()))
    assert loaded.sheetnames == ["概览 Summary", "code_format"]
    ws = loaded["code_format"]
    headers = [c.value for c in ws[3]]
    assert "票据代码 Bill code" in headers and "整改建议 What to fix" in headers
    data = [c.value for c in ws[4]]
    assert data[1] == "123456789012345678"  # ids as text: no precision lost
    assert data[2] == '=HYPERLINK("http://x")' and ws.cell(4, 3).data_type == "s"
    assert data[7] == "1900-01-01 00:00:00" and float(data[9]) == 1234567890.12
    assert "Only the first 1 of 3" in ws.cell(5, 1).value
    assert detail_fields("payment_split_balance") == [
        "fund_pay",
        "account_pay",
        "otherfund_pay",
        "self_cash_pay",
        "split_diff",
    ]


def test_mail_names_the_rules_and_says_what_to_do():
    summary = {
        "first_day": "2026-11-30",
        "last_day": "2026-11-30",
        "days": 1,
        "engine": "database",
        "bills": 1200,
        "failures": 3,
        "rules": [
            {
                "rule_id": "items_sum_total",
                "title": "明细合计等于票据金额 items sum to the total",
                "severity": "critical",
                "severity_label": "严重 critical",
                "source": "本地惯例 local practice",
                "checked": 1200,
                "failed": 3,
                "pass_rate": 0.9975,
                "status": "failed",
                "days_failed": 1,
                "error": None,
            }
        ],
        "critical_failed": ["items_sum_total"],
        "warning_failed": [],
        "errors": [],
        "data_docs": "file:///docs/index.html",
    }
    rows = [
        {"check_day": dt.date(2026, 11, 29), "rule_id": "items_sum_total", "failed": 1},
        {"check_day": dt.date(2026, 11, 30), "rule_id": "items_sum_total", "failed": 3},
    ]
    days, table = report.trend(rows, dt.date(2026, 11, 30))
    assert days == ["2026-11-29", "2026-11-30"] and table == {
        "items_sum_total": {"2026-11-29": 1, "2026-11-30": 3}
    }
    body = report.render(
        summary,
        fix_list="file:///a/fix.xlsx",
        decision="open",
        run_id="r1",
        trend_days=days,
        trend_table=table,
        runbook="docs/runbooks/ebill_invoice_quality.md",
    )
    for needle in (
        "items_sum_total",
        "严重 Critical",
        "整改清单 Fix list",
        "file:///a/fix.xlsx",
        "99.7500%",
        "What to do",
    ):
        assert needle in body
    assert report.severity(summary) == "critical" and report.incident_key(summary) == "quality:2026-11-30"
    assert report.headline({**summary, "critical_failed": [], "warning_failed": []}).endswith("全部合格")


def test_oracle_and_postgresql_checks_return_the_same_columns_from_the_same_parameters():
    """The Oracle file is only parsed here (no Oracle server): it must not drift from PostgreSQL."""
    import re

    import sqlglot

    from ebill_ops.sql import load_sql

    def shape(dialect: str, read: str, param: str) -> tuple[list[str], set[str]]:
        text = load_sql("quality/bill_checks", dialect)
        tree = sqlglot.parse_one(text, read=read)
        return [e.alias_or_name.lower() for e in tree.expressions], set(re.findall(param, text))

    pg_columns, pg_params = shape("postgresql", "postgres", r"%\((\w+)\)s")
    ora_columns, ora_params = shape("oracle", "oracle", r":([a-z_]+)\b")
    assert pg_columns == ora_columns
    assert (
        pg_params
        == ora_params
        == {"window_start", "window_end", "red_until", "orphan_before", "orphan_after"}
    )
    measured = {r.column for r in active_rules(QualitySettings())}
    shown = {name for r in CATALOGUE for name in r.detail}
    assert measured | shown | {"bill_id", "bus_no", "place_code", "bus_type"} <= set(pg_columns)
