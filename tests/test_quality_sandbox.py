"""Invoice quality on the sandbox: both engines find exactly the injected violations (and nothing
else), re-runs replace, Data Docs name every rule, the fix list lists exactly the failing bills,
and a bill with absurd values is reported without breaking anything."""

from __future__ import annotations

import collections
import datetime as dt
import json
from pathlib import Path

import psycopg
import pytest

from ebill_ops import db
from ebill_ops.intervals import Window
from ebill_ops.quality import run
from ebill_ops.quality.rules import RULES, QualitySettings
from sandbox.generator.anomalies import SPEC_RULES

pytestmark = pytest.mark.integration


def _window(first: dt.date, days: int) -> Window:
    start = dt.datetime.combine(first, dt.time())
    return Window(start, start + dt.timedelta(days=days))


def _manifest_window(manifest) -> Window:
    return _window(dt.date.fromisoformat(manifest["generator"]["start"]), manifest["generator"]["days"])


def _expected(manifest) -> dict[str, set[tuple[str, int]]]:
    found = collections.defaultdict(set)
    for entry in manifest["spec"]:
        found[entry["rule"]].add((entry["biz_date"], int(entry["bill_id"])))
    return found


def _stored(window: Window) -> dict[str, set[tuple[str, int]]]:
    found = collections.defaultdict(set)
    with db.connect("ebops_db") as ops:
        rows = ops.rows_sql(
            "SELECT rule_id, check_day, bill_id FROM ebops.quality_failure WHERE check_day >= %(a)s AND check_day < %(b)s",
            {"a": window.start.date(), "b": window.end.date()},
        )
    for row in rows:
        found[row["rule_id"]].add((row["check_day"].isoformat(), int(row["bill_id"])))
    return found


def _pass_rates(window: Window) -> list[dict]:
    with db.connect("ebops_db") as ops:
        return ops.rows(
            "quality/pass_rates", {"first_day": window.start.date(), "last_day": window.end.date()}
        )


@pytest.fixture(scope="module")
def database_run(manifest):
    window = _manifest_window(manifest)
    summary = run.validate(window, run_id="test-database", cfg=QualitySettings(engine="database"))
    return window, summary, _stored(window), _pass_rates(window)


def test_every_injected_violation_is_reported_under_its_rule_and_nothing_else(database_run, manifest):
    _, summary, stored, _ = database_run
    expected = _expected(manifest)
    assert set(expected) == set(SPEC_RULES)  # every rule of the generator's catalogue was injected
    for rule_id in RULES:
        assert stored.get(rule_id, set()) == expected.get(rule_id, set()), rule_id
    assert summary["engine"] == "database" and summary["days"] == manifest["generator"]["days"]
    assert summary["failures"] == sum(len(v) for v in expected.values())
    by_rule = {r["rule_id"]: r for r in summary["rules"]}
    for added in set(RULES) - set(SPEC_RULES):  # our own extra rules are clean on generated data
        assert by_rule[added]["status"] == "passed" and by_rule[added]["checked"] > 0, added
    assert set(summary["critical_failed"]) == {r for r in expected if RULES[r].severity == "critical"}


def test_pass_rates_per_rule_per_day(database_run, manifest):
    window, _, stored, rates = database_run
    assert len(rates) == len(RULES) * len(window.days)
    per_day = collections.Counter((day, rule) for rule, keys in stored.items() for day, _ in keys)
    for row in rates:
        assert row["failed"] == per_day.get((row["check_day"].isoformat(), row["rule_id"]), 0)
        assert 0 < row["checked"] <= row["bills"]
        assert row["pass_rate"] is not None and 0 < float(row["pass_rate"]) <= 1
        assert row["data_docs_url"].startswith("file://") and row["engine"] == "database"


def test_pandas_engine_in_small_chunks_agrees_with_the_database(database_run, manifest):
    """The Oracle path (per-bill rows pulled as DataFrames), forced into several chunks a day."""
    window, _, stored_db, rates_db = database_run
    summary = run.validate(
        window, run_id="test-pandas", cfg=QualitySettings(engine="pandas", chunk_rows=1000)
    )
    assert summary["engine"] == "pandas"
    assert _stored(window) == stored_db == {k: v for k, v in _expected(manifest).items()}
    pick = ("check_day", "rule_id", "bills", "checked", "failed", "pass_rate", "status")
    assert [{k: r[k] for k in pick} for r in _pass_rates(window)] == [
        {k: r[k] for k in pick} for r in rates_db
    ]
    run.validate(
        window, run_id="test-database-again", cfg=QualitySettings(engine="database")
    )  # back as before


def test_a_rerun_replaces_the_day_and_never_duplicates(database_run):
    window, _, stored, _ = database_run
    day = _window(window.start.date(), 1)
    run.validate(day, run_id="test-rerun", cfg=QualitySettings(engine="database"))
    run.validate(day, run_id="test-rerun-2", cfg=QualitySettings(engine="database"))
    with db.connect("ebops_db") as ops:
        rows = ops.rows_sql(
            "SELECT count(*) AS n, count(DISTINCT (rule_id, bill_id)) AS d, min(run_id) AS r "
            "FROM ebops.quality_failure WHERE check_day = %(d)s",
            {"d": day.start.date()},
        )[0]
    assert (
        rows["n"]
        == rows["d"]
        == sum(1 for keys in stored.values() for k in keys if k[0] == str(day.start.date()))
    )
    assert rows["r"] == "test-rerun-2"


def test_a_window_inside_a_day_rechecks_the_whole_day(database_run):
    """A manual run may give times: the day's rows are replaced as a whole, so a window from noon
    must check the whole day, never replace the day's failures with the afternoon's."""
    window, _, stored, _ = database_run
    day = window.start.date()
    noon = Window(dt.datetime.combine(day, dt.time(12, 0)), dt.datetime.combine(day, dt.time(18, 0)))
    summary = run.validate(noon, run_id="test-partial", cfg=QualitySettings(engine="database"))
    assert summary["first_day"] == summary["last_day"] == day.isoformat()
    whole = {rule: {k for k in keys if k[0] == day.isoformat()} for rule, keys in stored.items()}
    assert _stored(_window(day, 1)) == {rule: keys for rule, keys in whole.items() if keys}
    rates = _pass_rates(_window(day, 1))
    assert {r["rule_id"]: r["failed"] for r in rates} == {rule: len(whole.get(rule, ())) for rule in RULES}


def test_stored_times_are_the_sites_local_time(database_run):
    """found_at and computed_at are read by people beside the platform's local times: site-local
    (Asia/Shanghai), even when the worker's clock is UTC."""
    import pendulum

    from ebill_ops.config import common

    window, _, _, _ = database_run
    day = _window(window.start.date(), 1)
    run.validate(day, run_id="test-local-time", cfg=QualitySettings(engine="database"))
    local_now = pendulum.now(common().timezone).naive()
    utc_now = pendulum.now("UTC").naive()
    with db.connect("ebops_db") as ops:
        found = ops.rows_sql(
            "SELECT min(f.found_at) AS f, min(r.computed_at) AS c FROM ebops.quality_failure f "
            "JOIN ebops.quality_pass_rate r ON r.check_day = f.check_day WHERE f.check_day = %(d)s",
            {"d": day.start.date()},
        )[0]
    for stamp in (found["f"], found["c"]):
        assert abs(stamp - local_now) < abs(stamp - utc_now), (stamp, local_now, utc_now)


def test_a_quality_mail_that_fails_is_sent_by_the_retry(database_run, sandbox, forget_incidents, smtp_down):
    """The incident is recorded with the mail, not before it: with SMTP down mail_report fails
    and records nothing, and its retry mails the findings (they are not 'ongoing' yet)."""
    from sandbox import smtp_sink

    _, summary, _, _ = database_run
    forget_incidents("quality:")
    smtp_sink.clear(sandbox)
    try:
        with smtp_down(), pytest.raises(OSError):
            run.notify(summary, None, run_id="test-mail-retry")
        retried = run.notify(summary, None, run_id="test-mail-retry")
        assert retried == {"mailed": True, "decision": "open", "severity": "critical"}
        [mail] = [m for m in smtp_sink.messages(sandbox) if run.DAG_ID in m["Subject"]]
        assert "CRITICAL" in mail["Subject"]
        again = run.notify(summary, None, run_id="test-mail-retry")  # the same findings: quiet
        assert again == {"mailed": False, "decision": "ongoing", "severity": "critical"}
        assert len([m for m in smtp_sink.messages(sandbox) if run.DAG_ID in m["Subject"]]) == 1
    finally:
        forget_incidents("quality:")


def test_data_docs_open_and_name_every_rule(database_run):
    _, summary, _, _ = database_run
    index = Path(summary["data_docs"].removeprefix("file://"))
    assert index.is_file() and "invoice_spec" in index.read_text()
    for day, url in summary["data_docs_pages"].items():
        page = Path(url.removeprefix("file://"))
        html = page.read_text()
        assert day in str(page)
        for rule_id in RULES:
            assert rule_id in html, (day, rule_id)


def test_fix_list_lists_exactly_the_failing_bills(database_run, manifest):
    from openpyxl import load_workbook

    _, summary, _, _ = database_run
    url = run.fix_list(summary)
    book = load_workbook(Path(url.removeprefix("file://")), read_only=True)
    expected = _expected(manifest)
    assert book.sheetnames[0] == "概览 Summary"
    assert set(book.sheetnames[1:]) == set(expected)
    for rule_id, keys in expected.items():
        rows = list(book[rule_id].iter_rows(min_row=4, values_only=True))
        assert {(r[0], int(r[1])) for r in rows} == keys, rule_id
        header = [c for c in next(book[rule_id].iter_rows(min_row=3, max_row=3, values_only=True))]
        assert "票据ID Bill ID" in header and "整改建议 What to fix" in header


HISTORY_ABSURD_ID = 990_000_000_001
ORPHAN_ID = 990_000_000_002


@pytest.fixture
def absurd_bills(sandbox, manifest):
    """Bills with absurd values on a (clean) history day; removed afterwards."""
    day = dt.date.fromisoformat(min(d for d in _history_days(manifest)))
    absurd = {
        "bill_id": HISTORY_ABSURD_ID,
        "bus_no": '=HYPERLINK("http://evil.example")',
        "bus_type": "01",
        "place_code": "ZY01",
        "bill_batch_code": "",
        "bill_no": "0000000001",
        "check_code": "ABC123",
        "payer": "测试",
        "hospital_no": "ZY00000001",
        "in_hospital_date": dt.date(1900, 1, 1),
        "out_hospital_date": dt.date(1899, 12, 31),
        "total_amt": "1234567890.12",
        "bus_date_time": dt.datetime.combine(day, dt.time(9, 0)),
        "ivc_date_time": dt.datetime.combine(day, dt.time(9, 0, 3)),
        "remark": "很长的备注 a huge note " * 50_000,
    }
    # Issued on the day, business time in 1900: its business day is never checked by a daily run.
    orphan = {
        **absurd,
        "bill_id": ORPHAN_ID,
        "bus_no": "0219000101000001",
        "bus_type": "02",
        "place_code": "MZ01",
        "bill_batch_code": "44060199",
        "bill_no": "0000000002",
        "patient_no": "MZ000000001",
        "hospital_no": None,
        "in_hospital_date": None,
        "out_hospital_date": None,
        "total_amt": "0.00",
        "bus_date_time": dt.datetime(1900, 1, 1, 8, 0),
        "ivc_date_time": dt.datetime.combine(day, dt.time(9, 5)),
    }
    with psycopg.connect(sandbox.admin_dsn("bill"), autocommit=True) as conn:
        for row in (absurd, orphan):
            columns = ", ".join(row)
            values = ", ".join(f"%({k})s" for k in row)
            conn.execute(
                f"INSERT INTO ebill.bill ({columns}, data_type, state, direction) VALUES ({values}, 1, 1, 1)",
                row,
            )
    try:
        yield day, absurd
    finally:
        with psycopg.connect(sandbox.admin_dsn("bill"), autocommit=True) as conn:
            conn.execute("DELETE FROM ebill.bill WHERE bill_id IN (%s, %s)", (HISTORY_ABSURD_ID, ORPHAN_ID))


def _history_days(manifest) -> list[str]:
    start = manifest["generator"]["start"]
    with db.connect("ebill_db") as bill:
        rows = bill.rows_sql(
            "SELECT DISTINCT bus_date_time::date AS d FROM ebill.bill WHERE bus_date_time < %(s)s ORDER BY 1",
            {"s": dt.date.fromisoformat(start)},
        )
    return [r["d"].isoformat() for r in rows]


@pytest.mark.parametrize("engine", ["database", "pandas"])
def test_a_bill_with_absurd_values_is_reported_and_breaks_nothing(absurd_bills, engine):
    from openpyxl import load_workbook

    day, row = absurd_bills
    window = _window(day, 1)
    summary = run.validate(window, run_id=f"test-absurd-{engine}", cfg=QualitySettings(engine=engine))
    stored = _stored(window)
    reported = {rule for rule, keys in stored.items() for _, bill in keys if bill == HISTORY_ABSURD_ID}
    assert reported == {
        "code_format",  # empty string code
        "inpatient_fields",  # discharged before admission, in 1900
        "payment_split_balance",  # 10-digit total, no parts
        "channels_sum_total",  # no payment channel rows
        "items_sum_total",  # no items
    }
    orphan = {rule for rule, keys in stored.items() for _, bill in keys if bill == ORPHAN_ID}
    assert orphan == {"business_time_plausible"}  # checked on its issue day
    assert all(
        bill in (HISTORY_ABSURD_ID, ORPHAN_ID) for keys in stored.values() for _, bill in keys
    )  # else clean
    with db.connect("ebops_db") as ops:
        detail = ops.rows_sql(
            "SELECT observed, detail, total_amt FROM ebops.quality_failure WHERE bill_id = %(b)s AND rule_id = %(r)s",
            {"b": HISTORY_ABSURD_ID, "r": "inpatient_fields"},
        )[0]
    assert json.loads(detail["detail"])["in_hospital_date"] == "1900-01-01"
    assert float(detail["total_amt"]) == 1234567890.12
    url = run.fix_list(summary)
    book = load_workbook(Path(url.removeprefix("file://")))
    cell = book["code_format"].cell(4, 3)
    assert cell.value == row["bus_no"] and cell.data_type == "s"  # text, never a formula


def test_a_clean_day_passes_every_rule(manifest):
    days = _history_days(manifest)
    window = _window(dt.date.fromisoformat(days[-1]), 1)
    summary = run.validate(window, run_id="test-clean", cfg=QualitySettings())
    assert summary["bills"] > 0 and summary["failures"] == 0
    assert summary["critical_failed"] == [] and summary["warning_failed"] == [] and summary["errors"] == []
    assert run.fix_list(summary) is None
    assert run.enforce(summary, {"mailed": False})["bills"] == summary["bills"]


@pytest.mark.parametrize("engine", ["database", "pandas"])
def test_a_day_without_bills_is_checked_and_says_so(sandbox, engine):
    day = dt.date.today() + dt.timedelta(days=400)  # no bill, no partition even
    summary = run.validate(_window(day, 1), run_id=f"test-empty-{engine}", cfg=QualitySettings(engine=engine))
    assert summary["bills"] == 0 and summary["failures"] == 0 and summary["errors"] == []
    assert {r["status"] for r in summary["rules"]} == {"n/a"}
    assert Path(summary["data_docs_pages"][day.isoformat()].removeprefix("file://")).is_file()
    rates = _pass_rates(_window(day, 1))
    assert len(rates) == len(RULES) and all(r["checked"] == 0 and r["pass_rate"] is None for r in rates)
