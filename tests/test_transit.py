"""Finance sync: the pure parts (state machine, plan, rate limit, balance) without any service."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from ebill_ops.intervals import Window
from ebill_ops.transit import model
from ebill_ops.transit.balance import compare
from ebill_ops.transit.find import judged_window
from ebill_ops.transit.ledger import data_hash
from ebill_ops.transit.model import Bill
from ebill_ops.transit.ratelimit import TokenBucket

NOW = dt.datetime(2026, 11, 30, 12, 0, 0)


def bill(bill_id=1, state=model.PENDING, **kw) -> Bill:
    return Bill(
        bill_id=bill_id,
        ivc_date_time=dt.datetime(2026, 11, 30, 9, 0),
        bill_batch_code="44060126",
        bill_no=f"{bill_id:010d}",
        check_code="ABC123",
        bus_no="02202611300000001",
        place_code="MZ01",
        total_amt=Decimal("12.30"),
        direction=1,
        state=state,
        **kw,
    )


def result(code="S0000", duplicate=False, message="ok"):
    return SimpleNamespace(
        ok=code == "S0000",
        result=code,
        message=message,
        duplicate=duplicate,
        supervise_time=NOW if code == "S0000" else None,
        archive_time=NOW if code == "S0000" else None,
    )


def status(found=True, supervised=True, archived=False):
    return SimpleNamespace(
        found=found,
        supervised=supervised,
        archived=archived,
        supervise_time=NOW if supervised else None,
        archive_time=NOW if archived else None,
    )


# --- the plan of a run -----------------------------------------------------------------------------
def test_plan_sorts_open_bills_into_steps():
    grace = dt.timedelta(seconds=120)
    young = bill(1, model.SENDING, last_attempt_at=NOW - dt.timedelta(seconds=30), claim_id="c1")
    old = bill(2, model.SENDING, last_attempt_at=NOW - dt.timedelta(seconds=600), claim_id="c2")
    unchecked = bill(3)
    checked = bill(4, checked_at=NOW)
    supervised = bill(5, model.SUPERVISED)
    rejected_own = bill(6, model.REJECTED, last_attempt_at=NOW - dt.timedelta(minutes=5))
    rejected_old = bill(7, model.REJECTED, last_attempt_at=NOW - dt.timedelta(minutes=5))
    rejected_due = bill(8, model.REJECTED, last_attempt_at=NOW - dt.timedelta(hours=2))
    p = model.plan(
        [young, old, unchecked, checked, supervised, rejected_own, rejected_old, rejected_due],
        NOW,
        grace=grace,
        retry_interval=dt.timedelta(hours=1),
        query_before_upload=True,
        own_window={1, 2, 3, 4, 5, 6},
    )
    ids = {name: [b.bill_id for b in getattr(p, name)] for name in p.counts()}
    assert ids == {
        "resolve_inflight": [2],  # answer lost long enough ago: ask finance
        "defer_inflight": [1],  # may still be processed: do not race it
        "query_first": [3],
        "upload": [4, 6, 8],  # own-window rejections are retried by a re-run; carried ones wait
        "archive": [5],
        "waiting": [7],
    }
    without_query = model.plan(
        [unchecked], NOW, grace=grace, retry_interval=dt.timedelta(0), query_before_upload=False
    )
    assert [b.bill_id for b in without_query.upload] == [3]


# --- what one answer does to one bill ---------------------------------------------------------------
def test_upload_answers():
    ok = model.after_upload(bill(), result(), NOW, budget=3)
    assert (ok.state, ok.outcome, ok.supervise_time, ok.upload_time) == (
        model.SUPERVISED,
        "supervised",
        NOW,
        NOW,
    )
    dup = model.after_upload(bill(), result(duplicate=True), NOW, budget=3)
    assert (dup.state, dup.outcome) == (model.SUPERVISED, "duplicate")


def test_rejections_spend_the_budget_then_give_up():
    first = model.after_upload(bill(rejections=0), result("E2001", message="bad check code"), NOW, budget=3)
    assert (first.state, first.rejected, first.result_code) == (model.REJECTED, True, "E2001")
    last = model.after_upload(bill(rejections=2), result("E2001"), NOW, budget=3)
    assert last.state == model.GAVE_UP


def test_archive_answers():
    ok = model.after_archive(bill(state=model.SUPERVISED), result(), NOW)
    assert ok.state == model.RESOLVED and ok.resolved and ok.archive_time == NOW
    unknown = model.after_archive(bill(state=model.SUPERVISED), result("E3001"), NOW)
    assert unknown.state == model.PENDING  # finance does not hold it supervised: upload it
    other = model.after_archive(bill(state=model.SUPERVISED), result("E0500"), NOW)
    assert other.state == model.SUPERVISED


def test_a_lost_answer_is_settled_by_finance_status():
    sent = bill(state=model.SENDING, last_attempt_at=NOW - dt.timedelta(minutes=5))
    confirmed = model.after_inflight_query(sent, status(supervised=True), NOW)
    assert (confirmed.state, confirmed.outcome) == (model.SUPERVISED, "confirmed")
    assert confirmed.upload_time == sent.last_attempt_at
    archived = model.after_inflight_query(sent, status(supervised=True, archived=True), NOW)
    assert archived.state == model.RESOLVED
    lost = model.after_inflight_query(sent, status(found=False, supervised=False), NOW)
    assert (lost.state, lost.outcome, lost.rejected) == (model.PENDING, "lost", False)


def test_query_before_the_first_upload():
    assert model.after_query(bill(), status(supervised=True), NOW).state == model.SUPERVISED
    assert model.after_query(bill(), status(found=False, supervised=False), NOW).state == model.PENDING
    assert model.after_query(bill(), status(archived=True), NOW).state == model.RESOLVED


def test_the_upload_payload_uses_contract_names():
    row = bill().upload_row()
    assert (
        row["bill_batch_code"] == "44060126"
        and row["total_amt"] == Decimal("12.30")
        and row["direction"] == 1
    )


# --- helpers ---------------------------------------------------------------------------------------------
class FakeClock:
    """Time that moves only when someone sleeps: rate limits tested without waiting."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_token_bucket_limits_bills_per_second():
    clock = FakeClock()
    bucket = TokenBucket(rate=100, burst=200, clock=clock, sleep=clock.sleep)
    assert bucket.acquire(200) == 0  # a full bucket: the first batch goes at once
    waited = bucket.acquire(200)
    assert waited == pytest.approx(2.0)  # 200 more bills at 100/s
    for _ in range(8):
        bucket.acquire(100)
    assert clock.now == pytest.approx(10.0)  # 1,200 bills: 200 at once + 1,000 at 100/s


def test_token_bucket_without_limit_never_waits():
    clock = FakeClock()
    bucket = TokenBucket(rate=0, burst=1, clock=clock, sleep=clock.sleep)
    assert bucket.acquire(10_000) == 0 and clock.now == 0


def test_judged_window_stops_at_the_allowed_lag():
    window = Window(dt.datetime(2026, 11, 30, 11), dt.datetime(2026, 11, 30, 12))
    lag = dt.timedelta(minutes=30)
    assert judged_window(window, dt.datetime(2026, 11, 30, 13), lag) == window
    partial = judged_window(window, dt.datetime(2026, 11, 30, 12, 10), lag)
    assert partial == Window(window.start, dt.datetime(2026, 11, 30, 11, 40))
    assert judged_window(window, dt.datetime(2026, 11, 30, 11, 20), lag) is None


def test_balance_compares_count_amount_and_archived_per_day():
    day = dt.date(2026, 11, 30)
    finance = {day: SimpleNamespace(count=3, amount=Decimal("120.25"), archived_count=2)}
    same = compare(
        [day],
        [
            {
                "ivc_date": dt.datetime(2026, 11, 30),
                "platform_count": 3,
                "platform_amount": Decimal("120.250"),
                "platform_archived": 2,
                "in_transit": 1,
            }
        ],
        finance,
    )
    assert same[0].balanced and same[0].in_transit == 1
    short = compare(
        [day],
        [
            {
                "ivc_date": day,
                "platform_count": 3,
                "platform_amount": "120.25",
                "platform_archived": 1,
                "in_transit": 0,
            }
        ],
        finance,
    )
    assert not short[0].balanced
    empty = compare([day], [], {day: SimpleNamespace(count=0, amount=Decimal(0), archived_count=0)})
    assert empty[0].balanced


def test_data_hash_changes_when_someone_fixes_the_bill():
    row = {
        "bill_batch_code": "44060126",
        "bill_no": "0000000001",
        "check_code": "AB-12",
        "bus_no": "x",
        "place_code": "MZ01",
        "total_amt": Decimal("1.00"),
        "direction": 1,
    }
    assert data_hash(row) == data_hash(dict(row))
    assert data_hash(row) != data_hash({**row, "check_code": "AB1234"})


def test_rows_are_written_in_groups_with_nulls_in_the_same_places():
    """python-oracledb types binds from the first row: never mix None and a value in one call."""
    from ebill_ops.transit.batches import executemany_uniform

    class Recorder:
        def __init__(self) -> None:
            self.calls: list[list[dict]] = []

        def executemany(self, name, rows):
            self.calls.append(list(rows))

    db = Recorder()
    rows = [{"a": 1, "t": NOW}, {"a": 2, "t": None}, {"a": 3, "t": NOW}]
    executemany_uniform(db, "x", rows)
    assert sorted(len(c) for c in db.calls) == [1, 2]
    assert all(len({r["t"] is None for r in call}) == 1 for call in db.calls)
    assert sorted(r["a"] for call in db.calls for r in call) == [1, 2, 3]


def test_oracle_text_columns_that_carry_chinese_are_sized_in_characters():
    """Messages are cut to N characters in Python; a BYTE-sized VARCHAR2(N) refuses N Chinese
    characters (ORA-12899), which would stop a run right after finance answered."""
    import re

    from ebill_ops.paths import sql_dir

    ddl = (sql_dir() / "oracle" / "ebops" / "030_transit.sql").read_text(encoding="utf-8")
    columns = dict(re.findall(r"^\s+(\w+)\s+(VARCHAR2\([^)]*\))", ddl, flags=re.M))
    for name in ("last_message", "message", "error_codes", "detail"):
        assert columns[name].endswith(" CHAR)"), (name, columns[name])
