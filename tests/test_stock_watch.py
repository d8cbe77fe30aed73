"""Stock watch: pure assessment rules, and the DAG end to end on the sandbox."""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest
from pydantic import ValidationError

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
        for i, d in enumerate((-2, 3, 7, 8, 15, 16, 30, 31))
    ]
    lines = assess_audits(cycles, today, SETTINGS)
    got = [a.severity for a in lines]
    assert got == ["critical", "critical", "critical", "warning", "warning", "warning", "warning", "ok"]
    assert lines[0].days_left == -2  # overdue: still reported, and critical (it blocks issuing)


def test_audit_warning_steps_must_be_given():
    with pytest.raises(ValidationError, match="audit_warn_days"):
        StockSettings(audit_warn_days=[])


def test_stock_rate_follows_the_kind_across_the_new_year():
    """In January the usage window holds last year's code of the same kind: that is the rate."""
    points = [{"place_code": "A", "stock_warn_level": 500, "lead_time_days": 7, "active": True}]
    remaining = [{"place_code": "A", "bill_batch_code": "44060127", "remaining": 600}]
    usage = [
        {"place_code": "A", "bill_batch_code": "44060126", "used": 2900},
        {"place_code": "A", "bill_batch_code": "44060127", "used": 100},
    ]
    (line,) = assess_stock(remaining, usage, points, SETTINGS, year2="27")
    assert (line.used_per_day, line.days_left, line.severity) == (100.0, 6.0, "critical")


def test_a_point_issuing_a_kind_without_any_stock_of_the_year_is_critical():
    points = [
        {"place_code": "A", "stock_warn_level": 500, "lead_time_days": 7, "active": True},
        {"place_code": "Z", "stock_warn_level": 500, "lead_time_days": 7, "active": False},
    ]
    usage = [
        {"place_code": "A", "bill_batch_code": "44060126", "used": 300},
        {"place_code": "Z", "bill_batch_code": "44060126", "used": 300},  # inactive point: not ours
    ]
    lines = assess_stock([], usage, points, SETTINGS, year2="27")
    assert [(x.place_code, x.bill_batch_code, x.remaining, x.severity) for x in lines] == [
        ("A", "44060127", 0, "critical")
    ]


OVERDUE_CYCLE = 990_001  # an open audit cycle whose deadline passed, added and removed by the test


@pytest.fixture
def overdue_audit(sandbox, manifest):
    """An open audit cycle 3 days past its deadline on the manifest's last day (removed afterwards)."""
    end = dt.date.fromisoformat(manifest["generator"]["start"]) + dt.timedelta(
        days=manifest["generator"]["days"] - 1
    )
    with psycopg.connect(sandbox.admin_dsn("bill"), autocommit=True) as conn:
        conn.execute("DELETE FROM ebill.audit_cycle WHERE cycle_id = %s", (OVERDUE_CYCLE,))
        conn.execute(
            "INSERT INTO ebill.audit_cycle (cycle_id, period_start, period_end, deadline) VALUES (%s, %s, %s, %s)",
            (
                OVERDUE_CYCLE,
                end.replace(month=1, day=1),
                end.replace(month=1, day=31),
                end - dt.timedelta(days=3),
            ),
        )
    try:
        yield end
    finally:
        with psycopg.connect(sandbox.admin_dsn("bill"), autocommit=True) as conn:
            conn.execute("DELETE FROM ebill.audit_cycle WHERE cycle_id = %s", (OVERDUE_CYCLE,))


@pytest.mark.e2e
def test_stock_watch_dag_finds_the_injected_problems_and_mails(
    run_dag, manifest, sandbox, overdue_audit, forget_incidents
):
    from sandbox import smtp_sink

    end = overdue_audit
    forget_incidents(f"stock:{end.isoformat()}")  # the day has not been mailed yet
    smtp_sink.clear(sandbox)
    dagrun, xcom = run_dag("ebill_stock_watch", end)
    assert dagrun.state == "success"
    summary = xcom("alert")
    low = {(x["place_code"], x["bill_batch_code"]) for x in summary["low_stock"]}
    assert {(x["place_code"], x["bill_batch_code"]) for x in manifest["stock_low"]} <= low
    near = {a["cycle_id"]: a for a in summary["audit_deadlines"]}
    assert {a["cycle_id"] for a in manifest["audit_deadline"]} | {OVERDUE_CYCLE} == set(near)
    assert (near[OVERDUE_CYCLE]["days_left"], near[OVERDUE_CYCLE]["severity"]) == (-3, "critical")
    assert summary["mailed"] is True
    mail = smtp_sink.wait_for(sandbox, lambda m: "ebill_stock_watch" in m["Subject"], timeout=30)[0]
    body = mail.get_body(preferencelist=("html",)).get_content()
    for place, _ in low:
        assert place in body
    assert "号段库存不足" in body and "已逾期 OVERDUE" in body and "ebill-ops@hospital.example" in mail["To"]
    assert "docs/runbooks/ebill_stock_watch.md" in body
    # Idempotent: a second run replaces the day's rows and does not mail the same day again.
    dagrun, xcom = run_dag("ebill_stock_watch", end)
    assert dagrun.state == "success" and xcom("alert")["mailed"] is False
    assert len([m for m in smtp_sink.messages(sandbox) if "ebill_stock_watch" in m["Subject"]]) == 1
    with psycopg.connect(sandbox.dsn("ebops", "ebops_rw")) as conn:
        rows = conn.execute(
            "SELECT count(*), count(DISTINCT (place_code, bill_batch_code)) FROM ebops.stock_status "
            "WHERE check_date = %s",
            (end,),
        ).fetchone()
    assert rows[0] == rows[1] > 0


@pytest.mark.e2e
def test_a_failed_stock_mail_is_sent_by_the_retry(manifest, sandbox, smtp_down, forget_incidents):
    """The day's incident is recorded in the transaction that mails: a failed mail leaves no record."""
    from ebill_ops.stock import run
    from sandbox import smtp_sink

    day = dt.date(2001, 1, 1)  # a day no other test checks
    summary = {"check_date": day.isoformat(), "severity": "warning", "low_stock": [], "audit_deadlines": []}
    forget_incidents(f"stock:{day.isoformat()}")
    smtp_sink.clear(sandbox)
    with smtp_down(), pytest.raises(OSError):
        run.notify(summary)
    assert run.notify(summary) is True  # the retry mails
    assert run.notify(summary) is False  # and a second retry does not
    assert run.notify({**summary, "severity": "critical"}) is True  # worse the same day: mail again
    assert len([m for m in smtp_sink.messages(sandbox) if "ebill_stock_watch" in m["Subject"]]) == 2
