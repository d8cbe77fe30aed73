"""Reconciliation on the sandbox: the engine against the generator's ground truth (both ways), the
DAG end to end (tables, workbook, mail), re-runs, backfill against daily runs, people's statuses."""

from __future__ import annotations

import datetime as dt
import json

import psycopg
import pytest

from ebill_ops.intervals import Window, day_window

pytestmark = pytest.mark.integration
DAG_ID = "ebill_reconciliation"


@pytest.fixture(scope="module")
def days(manifest) -> list[dt.date]:
    first = dt.date.fromisoformat(manifest["generator"]["start"])
    return [first + dt.timedelta(days=i) for i in range(manifest["generator"]["days"])]


def whole(days) -> Window:
    return Window(day_window(days[0]).start, day_window(days[-1]).end)


def truth(manifest) -> set[tuple[str, str, str]]:
    return {(e["biz_date"], e["class"], e["bus_no"]) for e in manifest["recon"]}


def found(differences) -> set[tuple[str, str, str]]:
    return {(d.biz_date.isoformat(), d.diff_class, d.bus_no) for d in differences}


def reconcile(window, **settings):
    from ebill_ops.recon import run
    from ebill_ops.recon.settings import ReconSettings

    return run.reconcile(window, ReconSettings(**settings), *run.sides())


def ops_rows(sandbox, query, *params):
    with psycopg.connect(sandbox.dsn("ebops", "ebops_rw")) as conn:
        cur = conn.execute(query, params)
        names = [d.name for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


# ------------------------------------------------------------------------ the engine
@pytest.mark.parametrize("hash_kind", ["native", "md5"])
def test_every_injected_difference_is_found_and_nothing_else(sandbox, manifest, days, hash_kind):
    rec = reconcile(whole(days), hash=hash_kind)
    expected = truth(manifest)
    assert expected, "the manifest has no reconciliation anomalies"
    got = found(rec.differences)
    assert got == expected, {
        "not in manifest": sorted(got - expected)[:10],
        "not found": sorted(expected - got)[:10],
    }
    assert {d.diff_class for d in rec.differences} >= {
        "missing_in_platform",
        "missing_in_his",
        "amount_mismatch",
        "bill_number_mismatch",
        "check_code_mismatch",
        "state_mismatch",
        "duplicate",
    }
    errors = {(e.biz_date.isoformat(), e.kind, e.settle_id) for e in rec.data_errors}
    assert errors == {(e["biz_date"], e["kind"], e["settle_id"]) for e in manifest["his_data_error"]}
    # The listed differences add up exactly to the totals' gap, on every day and dimension.
    assert all(day.explained for day in rec.days) and not any(day.balanced for day in rec.days)
    amounts = {(d.bus_no, d.diff_class): (d.his_amount, d.platform_amount) for d in rec.differences}
    for entry in manifest["recon"]:
        his_amount, platform_amount = amounts[(entry["bus_no"], entry["class"])]
        if entry["his_amount"] not in (None, "N/A") and entry["class"] != "missing_in_his":
            assert str(his_amount) == entry["his_amount"], entry
        if entry["platform_amount"] is not None:
            assert str(platform_amount) == entry["platform_amount"], entry


def test_daily_windows_find_what_one_window_finds(sandbox, manifest, days):
    window = reconcile(whole(days))
    daily_diffs, daily_errors = [], []
    for day in days:
        rec = reconcile(day_window(day))
        assert {d.biz_date for d in rec.differences} <= {day}
        daily_diffs += rec.differences
        daily_errors += rec.data_errors
    assert sorted(map(repr, daily_diffs)) == sorted(map(repr, window.differences))
    assert sorted(map(repr, daily_errors)) == sorted(map(repr, window.data_errors))
    assert found(daily_diffs) == truth(manifest)


def test_issue_time_basis_finds_the_same_payments(sandbox, manifest, days):
    rec = reconcile(whole(days), date_basis="issue")
    assert {(c, b) for _, c, b in found(rec.differences)} == {(c, b) for _, c, b in truth(manifest)}


def test_a_second_bill_after_midnight_is_a_duplicate_of_the_settlement_day(sandbox, manifest, days):
    """The copy lies on the next day: the settlement's day reports the duplicate, the next day nothing."""
    day, next_day = days[0], days[1]
    listed = {e["bus_no"] for e in manifest["recon"]} | {e["bus_no"] for e in manifest["transit"]}
    with psycopg.connect(sandbox.admin_dsn("bill"), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT * FROM ebill.bill WHERE bus_date_time >= %s AND bus_date_time < %s AND state = 1 "
            "AND direction = 1 AND data_type = 1 ORDER BY bus_date_time DESC LIMIT 50",
            (day_window(day).start, day_window(day).end),
        )
        names = [d.name for d in rows.description]
        original = next(dict(zip(names, r, strict=True)) for r in rows.fetchall() if r[1] not in listed)
        copy = dict(original)
        copy["bill_id"] = conn.execute("SELECT max(bill_id) + 1 FROM ebill.bill").fetchone()[0]
        copy["bill_no"] = "9" + original["bill_no"][1:]
        copy["bus_date_time"] = dt.datetime.combine(next_day, dt.time(0, 5))
        copy["ivc_date_time"] = copy["bus_date_time"] + dt.timedelta(seconds=2)
        columns = ", ".join(copy)
        conn.execute(
            f"INSERT INTO ebill.bill ({columns}) VALUES ({', '.join(['%s'] * len(copy))})",
            list(copy.values()),
        )
        try:
            first = reconcile(day_window(day))
            second = reconcile(day_window(next_day))
            both = reconcile(Window(day_window(day).start, day_window(next_day).end))
        finally:
            conn.execute("DELETE FROM ebill.bill WHERE bill_id = %s", (copy["bill_id"],))
    key = (day.isoformat(), "duplicate", original["bus_no"])
    assert key in found(first.differences)
    assert original["bus_no"] not in {d.bus_no for d in second.differences}
    assert found(both.differences) == found(first.differences) | found(second.differences)
    assert found(first.differences) - {key} == {t for t in truth(manifest) if t[0] == day.isoformat()}


def test_too_many_differences_is_reported_not_a_crash(sandbox, days):
    rec = reconcile(day_window(days[0]), max_detail_rows=5)
    assert [d.detail_status for d in rec.days] == ["too_many"]
    assert "max_detail_rows" in rec.days[0].detail_note and rec.differences == []
    total = next(line for line in rec.lines if line.dimension == "total")
    assert total.his_count > 1000 and total.explained is None  # the totals are still there


# ------------------------------------------------------------------------ the DAG
def test_dag_schedule_waits_for_late_settlements(dagbag):
    from airflow.sdk import CronDataIntervalTimetable

    dag = dagbag.dags[DAG_ID]
    assert isinstance(dag.timetable, CronDataIntervalTimetable)
    wait = dag.get_task("wait_for_late_settlements")
    assert wait.deferrable and wait.delta == dt.timedelta(minutes=120)
    assert dag.get_task("report").trigger_rule == "all_done"
    assert set(dag.get_task("wait_for_late_settlements").downstream_task_ids) == {
        "reconcile_his",
        "reconcile_finance",
    }
    # A failed comparison keeps the run failed (no false "recovered" mail from the success callback)
    # although the report still runs.
    compared = dag.get_task("all_compared")
    assert compared.trigger_rule == "all_success"
    assert compared.upstream_task_ids == {"reconcile_his", "reconcile_finance"}
    assert {t.task_id for t in dag.leaves} == {"report", "all_compared"}
    # The deadline (e-mailed) leaves room for the wait plus the work.
    [deadline] = dag.deadline
    assert deadline.interval >= dt.timedelta(minutes=180) and deadline.callback.kwargs["to"]


@pytest.mark.e2e
def test_dag_over_several_days_writes_results_workbooks_and_one_mail(
    run_dag, sandbox, manifest, days, forget_incidents
):
    from openpyxl import load_workbook

    from sandbox import smtp_sink

    forget_incidents("recon:")  # whatever ran before, these days' first result mails
    smtp_sink.clear(sandbox)
    end = days[-1] + dt.timedelta(days=1)
    dagrun, xcom = run_dag(DAG_ID, end, start=days[0].isoformat(), end=end.isoformat())
    assert dagrun.state == "success"
    summary = xcom("report")
    assert [d["date"] for d in summary["days"]] == [d.isoformat() for d in days] and summary["mailed"]
    rows = ops_rows(sandbox, "SELECT biz_date, diff_class, bus_no, status FROM ebops.recon_difference")
    assert {(r["biz_date"].isoformat(), r["diff_class"], r["bus_no"]) for r in rows} == truth(manifest)
    assert {r["status"] for r in rows} == {"open"}
    errors = ops_rows(sandbox, "SELECT biz_date, kind, settle_id FROM ebops.recon_data_error")
    assert {(r["biz_date"].isoformat(), r["kind"], r["settle_id"]) for r in errors} == {
        (e["biz_date"], e["kind"], e["settle_id"]) for e in manifest["his_data_error"]
    }
    dims = ops_rows(sandbox, "SELECT DISTINCT dimension FROM ebops.recon_summary")
    assert {r["dimension"] for r in dims} == {
        "total",
        "bus_type",
        "pay_channel",
        "voucher_type",
        "direction",
        "place_code",
    }
    # Platform ↔ finance: every day's gap is exactly its in-transit bills, and they are linked.
    finance = ops_rows(sandbox, "SELECT biz_date, explained, count_diff FROM ebops.recon_finance ORDER BY 1")
    assert [r["biz_date"] for r in finance] == days and all(r["explained"] == 1 for r in finance)
    transit = ops_rows(sandbox, "SELECT bill_id, kind FROM ebops.recon_transit")
    expected_transit = {
        (e["bill_id"], e["kind"])
        for e in manifest["transit"]
        if days[0] <= dt.date.fromisoformat(e["ivc_date_time"][:10]) <= days[-1]
    }
    assert {(r["bill_id"], r["kind"]) for r in transit} == expected_transit and expected_transit
    # A workbook per day, with the day's differences on their class sheets.
    day_rows = ops_rows(sandbox, "SELECT biz_date, workbook_url, run_id FROM ebops.recon_day ORDER BY 1")
    assert [r["biz_date"] for r in day_rows] == days
    one = day_rows[0]
    wb = load_workbook(one["workbook_url"].removeprefix("file://"))
    sheet = wb["金额不符 amount_mismatch"]
    expected_here = {
        e["bus_no"]
        for e in manifest["recon"]
        if e["class"] == "amount_mismatch" and e["biz_date"] == days[0].isoformat()
    }
    assert {r[1] for r in sheet.iter_rows(min_row=2, values_only=True)} == expected_here
    # One mail for the run, with the counts per class and where the workbooks are.
    mail = smtp_sink.wait_for(sandbox, lambda m: DAG_ID in m["Subject"], timeout=30)
    assert len(mail) == 1
    body = mail[0].get_body(preferencelist=("html",)).get_content()
    assert "金额不符" in body and "ebill_recon_" in body and days[-1].isoformat() in body
    assert f"{len(manifest['recon'])} differences" in mail[0]["Subject"]


@pytest.mark.e2e
def test_a_rerun_replaces_the_day_keeps_statuses_and_mails_nothing_new(run_dag, sandbox, manifest, days):
    from ebill_ops import db
    from ebill_ops.recon import run, status
    from sandbox import smtp_sink

    day = days[1]
    target = next(
        e for e in manifest["recon"] if e["biz_date"] == day.isoformat() and e["class"] == "amount_mismatch"
    )
    # The day was reconciled and reported before (its incident open), whatever ran earlier.
    for step in (run.reconcile_his, run.reconcile_finance, run.report):
        step(day_window(day), "before-the-rerun")
    assert (
        status.main(
            [
                "set",
                "--date",
                day.isoformat(),
                "--class",
                "amount_mismatch",
                "--key",
                target["bus_no"],
                "--status",
                "explained",
                "--by",
                "张三",
                "--reason",
                "HIS 次日补退 refund next day",
            ]
        )
        == 0
    )
    assert (
        status.main(
            [
                "set",
                "--date",
                day.isoformat(),
                "--class",
                "amount_mismatch",
                "--key",
                "NO-SUCH",
                "--status",
                "resolved",
                "--by",
                "x",
                "--reason",
                "y",
            ]
        )
        == 2
    )
    before = ops_rows(sandbox, "SELECT count(*) AS n FROM ebops.recon_difference WHERE biz_date = %s", day)[
        0
    ]["n"]
    smtp_sink.clear(sandbox)
    # The scheduled shape: the run after midnight covers the day that ended (data interval).
    # (start/end cleared explicitly: dag.test() keeps the previous run's conf in the shared DAG's params)
    dagrun, xcom = run_dag(DAG_ID, day + dt.timedelta(days=1), start=None, end=None)
    assert dagrun.state == "success"
    assert [d["date"] for d in xcom("report")["days"]] == [day.isoformat()]
    rows = ops_rows(
        sandbox,
        "SELECT diff_class, diff_key, status, status_by, status_reason FROM ebops.recon_difference WHERE biz_date = %s",
        day,
    )
    assert len(rows) == before == len({(r["diff_class"], r["diff_key"]) for r in rows})
    kept = next(r for r in rows if r["diff_key"] == target["bus_no"] and r["diff_class"] == "amount_mismatch")
    assert (kept["status"], kept["status_by"]) == ("explained", "张三") and "refund" in kept["status_reason"]
    assert sum(r["status"] == "open" for r in rows) == len(rows) - 1
    log = ops_rows(
        sandbox,
        "SELECT old_status, new_status, changed_by FROM ebops.recon_status_log WHERE biz_date = %s AND diff_key = %s",
        day,
        target["bus_no"],
    )
    assert [(r["old_status"], r["new_status"], r["changed_by"]) for r in log] == [
        ("open", "explained", "张三")
    ]
    day_row = ops_rows(sandbox, "SELECT run_id FROM ebops.recon_day WHERE biz_date = %s", day)[0]
    assert day_row["run_id"] == dagrun.run_id
    assert xcom("report")["mailed"] is False  # same result as before: nothing sent twice
    assert not [m for m in smtp_sink.messages(sandbox) if DAG_ID in m["Subject"]]
    # The status change is visible to the report: the workbook shows who explained it.
    with db.connect("ebops_db") as ops:
        shown = ops.rows("recon/report_differences", {"biz_date": day})
    assert any(r["status"] == "explained" and r["status_by"] == "张三" for r in shown)


def test_a_backfill_writes_what_daily_runs_write(sandbox, manifest, days):
    from ebill_ops.recon import run

    def snapshot():
        diffs = ops_rows(
            sandbox,
            "SELECT biz_date, diff_class, diff_key, bill_no, his_bill_no, his_amount, platform_amount, detail, status "
            "FROM ebops.recon_difference ORDER BY 1, 2, 3",
        )
        lines = ops_rows(sandbox, "SELECT * FROM ebops.recon_summary ORDER BY 1, 2, 3")
        errors = ops_rows(
            sandbox, "SELECT biz_date, kind, settle_id, detail FROM ebops.recon_data_error ORDER BY 1, 2, 3"
        )
        for line in lines:
            line.pop("computed_at")
        return diffs, lines, errors

    run.reconcile_his(whole(days), "backfill")
    backfill = snapshot()
    for day in days:
        run.reconcile_his(day_window(day), f"daily-{day}")
    daily = snapshot()
    assert backfill == daily
    assert {(r["biz_date"].isoformat(), r["diff_class"], r["diff_key"]) for r in daily[0]} == truth(manifest)
    assert json.dumps(daily[1], default=str).count('"total"') == len(days)


def test_a_finance_outage_fails_only_the_finance_part_and_the_report_says_so(sandbox, manifest, days):
    from openpyxl import load_workbook

    from ebill_ops.finance.client import FinanceUnavailable, is_retryable
    from ebill_ops.recon import run
    from sandbox.finance import state

    window = day_window(days[0])
    run.reconcile_finance(window, "before-the-outage")  # a last known finance result, whatever ran before
    run.reconcile_his(window, "outage-run")
    state.start_outage(sandbox, dt.timedelta(minutes=10))
    try:
        with pytest.raises(FinanceUnavailable) as failure:
            run.reconcile_finance(window, "outage-run")
        assert is_retryable(failure.value)  # Airflow retries it with backoff
        report = run.report(window, "outage-run")
    finally:
        state.end_outage(sandbox)
    [day] = report["days"]
    assert day["severity"] == "warning" and day["workbook"].endswith(f"ebill_recon_{days[0]}.xlsx")
    workbook = load_workbook(day["workbook"].removeprefix("file://"))
    facts = {r[0]: r[1] for r in workbook["汇总 Summary"].iter_rows(min_row=2, max_row=10, values_only=True)}
    assert facts["财政对账 Finance"].startswith("stale")  # the last known result, marked as not this run's
    with pytest.raises(run.NotReconciled):
        run.report(window, "a-run-that-never-reconciled")
