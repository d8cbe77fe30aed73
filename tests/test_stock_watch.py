"""Stock watch: pure assessment rules, and the DAG end to end on the sandbox."""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest

from ebill_ops.stock.assess import StockSettings, assess_audits, assess_stock

SETTINGS = StockSettings()


def test_assess_stock_levels():
    points = [
        {"place_code": "A", "stock_warn_level": 500, "lead_time_days": 7},
        {"place_code": "B", "stock_warn_level": 500, "lead_time_days": 7},
    ]
    remaining = [
        {"place_code": "A", "bill_batch_code": "44060126", "remaining": 100},
        {"place_code": "B", "bill_batch_code": "44060126", "remaining": 100_000},
        {"place_code": "B", "bill_batch_code": "44060226", "remaining": 0},
    ]
    usage = [
        {"place_code": "A", "bill_batch_code": "44060126", "used": 300},
        {"place_code": "B", "bill_batch_code": "44060126", "used": 3000},
    ]
    lines = {(x.place_code, x.bill_batch_code): x for x in assess_stock(remaining, usage, points, SETTINGS)}
    assert lines[("A", "44060126")].severity == "warning"  # below warn level, 10 days left > 7
    assert lines[("A", "44060126")].days_left == 10.0
    assert lines[("B", "44060126")].severity == "ok"
    assert lines[("B", "44060226")].severity == "critical"  # nothing left
    fast = assess_stock(
        [{"place_code": "A", "bill_batch_code": "x", "remaining": 600}],
        [{"place_code": "A", "bill_batch_code": "x", "used": 3000}],
        points,
        SETTINGS,
    )
    assert fast[0].severity == "critical"  # 6 days left < 7 days lead time


def test_assess_audit_deadlines():
    today = dt.date(2026, 12, 1)
    cycles = [
        {
            "cycle_id": i,
            "period_start": "2026-01-01",
            "period_end": "2026-06-30",
            "deadline": today + dt.timedelta(days=d),
        }
        for i, d in enumerate((3, 7, 8, 15, 16, 30, 31))
    ]
    got = [a.severity for a in assess_audits(cycles, today, SETTINGS)]
    assert got == ["critical", "critical", "warning", "warning", "warning", "warning", "ok"]


@pytest.mark.e2e
def test_stock_watch_dag_finds_the_injected_problems_and_mails(run_dag, manifest, sandbox):
    from sandbox import smtp_sink

    smtp_sink.clear(sandbox)
    end = dt.date.fromisoformat(manifest["generator"]["start"]) + dt.timedelta(
        days=manifest["generator"]["days"] - 1
    )
    dagrun, xcom = run_dag("ebill_stock_watch", end)
    assert dagrun.state == "success"
    summary = xcom("alert")
    low = {(x["place_code"], x["bill_batch_code"]) for x in summary["low_stock"]}
    assert {(x["place_code"], x["bill_batch_code"]) for x in manifest["stock_low"]} <= low
    near = {a["cycle_id"] for a in summary["audit_deadlines"]}
    assert {a["cycle_id"] for a in manifest["audit_deadline"]} == near
    assert summary["mailed"] is True
    mail = smtp_sink.wait_for(sandbox, lambda m: "ebill_stock_watch" in m["Subject"], timeout=30)[0]
    body = mail.get_body(preferencelist=("html",)).get_content()
    for place, _ in low:
        assert place in body
    assert "号段库存不足" in body and "ebill-ops@hospital.example" in mail["To"]
    # Idempotent: a second run replaces the day's rows.
    run_dag("ebill_stock_watch", end)
    with psycopg.connect(sandbox.dsn("ebops", "ebops_rw")) as conn:
        rows = conn.execute(
            "SELECT count(*), count(DISTINCT (place_code, bill_batch_code)) FROM ebops.stock_status "
            "WHERE check_date = %s",
            (end,),
        ).fetchone()
    assert rows[0] == rows[1] > 0
