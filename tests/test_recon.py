"""Reconciliation rules as pure functions: no database, no Airflow."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest

from ebill_ops.intervals import Window
from ebill_ops.recon import buckets
from ebill_ops.recon.classify import (
    classify_group,
    compare_by_number,
    data_errors,
    missing_in_his,
    pair_by_bill_number,
)
from ebill_ops.recon.finance import FinanceDay, PlatformIssueDay, TransitBill, compare_day
from ebill_ops.recon.model import BillRow, HisRow, parse_amount, to_cents, yuan
from ebill_ops.recon.run import day_runs
from ebill_ops.recon.sources import Bounds, Side, choose_hash
from ebill_ops.recon.status import StatusChange, StatusError
from ebill_ops.recon.store import carry_status
from ebill_ops.recon.totals import SideTotal, compare_totals

T0 = dt.datetime(2026, 11, 27, 10, 0, 0)
DAY = T0.date()
KNOWN = frozenset({"01", "02", "04", "05", "11", "12"})


def his(bus_no="B1", amount="100.00", no="0000000001", check="ABC123", state=1, direction=1, **kw) -> HisRow:
    values = dict(
        bucket=1,
        settle_id=kw.pop("settle_id", 1),
        bus_no=bus_no,
        bus_type="02",
        place_code="MZ01",
        settle_time=kw.pop("settle_time", T0),
        direction=direction,
        state=state,
        amount_text=amount,
        pay_channel=kw.pop("pay_channel", "05"),
        voucher_type=1,
        bill_batch_code=kw.pop("code", "44060126"),
        bill_no=no,
        check_code=check,
    )
    return HisRow(**values)


def bill(
    bus_no="B1", amount="100.00", no="0000000001", check="ABC123", state=1, direction=1, **kw
) -> BillRow:
    when = kw.pop("when", T0)
    return BillRow(
        bucket=1,
        bill_id=kw.pop("bill_id", 1),
        bus_no=bus_no,
        bus_type="02",
        place_code="MZ01",
        bus_date_time=when,
        ivc_date_time=when + dt.timedelta(seconds=2),
        data_type=1,
        state=state,
        direction=direction,
        total_amt=Decimal(amount),
        pay_channel="05",
        bill_batch_code=kw.pop("code", "44060126"),
        bill_no=no,
        check_code=check,
    )


def classes(differences) -> list[str]:
    return sorted(d.diff_class for d in differences)


# ------------------------------------------------------------------------ money
@pytest.mark.parametrize(
    "text, cents",
    [
        ("123.45", 12345),
        (" 8.5 ", 850),
        ("0.00", 0),
        ("1000", 100000),
        ("12,3.4x", None),
        ("N/A", None),
        ("¥88.00", None),
        ("--", None),
        ("-5.00", None),
        ("1.234", None),
        ("", None),
        (None, None),
    ],
)
def test_his_amount_text_is_validated(text, cents):
    assert parse_amount(text) == cents


def test_platform_amounts_are_exact_cents():
    assert to_cents(Decimal("8219.95")) == 821995
    assert to_cents(8219.95) == 821995  # python-oracledb may hand floats
    assert yuan(100) == Decimal("1.00") and str(yuan(-1731)) == "-17.31"
    with pytest.raises(ValueError):
        to_cents("abc")


# ------------------------------------------------------------------------ one busNo
def test_a_clean_pair_has_no_difference():
    out = classify_group([his()], [bill()])
    assert out.differences == [] and not out.his_only and not out.bills_only


def test_each_field_gives_its_own_class():
    assert classes(classify_group([his(amount="101.00")], [bill()]).differences) == ["amount_mismatch"]
    assert classes(classify_group([his(no="0000000008")], [bill()]).differences) == ["bill_number_mismatch"]
    assert classes(classify_group([his(check="ZZZ999")], [bill()]).differences) == ["check_code_mismatch"]
    # reversed (冲红) on one side only, either way
    assert classes(classify_group([his(state=3)], [bill()]).differences) == ["state_mismatch"]
    assert classes(classify_group([his()], [bill(state=3)]).differences) == ["state_mismatch"]
    assert classes(classify_group([his(direction=-1)], [bill()]).differences) == ["state_mismatch"]
    # another bill number makes its check code meaningless: one difference, not two
    diffs = classify_group([his(no="0000000008", check="ZZZ999")], [bill()]).differences
    assert classes(diffs) == ["bill_number_mismatch"]
    detail = classify_group([his(amount="101.00")], [bill()]).differences[0]
    assert detail.his_amount == Decimal("101.00") and detail.platform_amount == Decimal("100.00")
    assert detail.diff_key == "B1" and detail.biz_date == DAY


def test_a_malformed_amount_is_not_compared():
    assert classify_group([his(amount="N/A")], [bill()]).differences == []


def test_duplicate_is_one_difference_and_the_matching_bill_is_compared():
    original = bill(bill_id=1, no="0000000001", when=T0)
    surplus = bill(bill_id=2, no="0000000009", check="QQQ111", when=T0 + dt.timedelta(minutes=10))
    out = classify_group([his()], [surplus, original])
    assert classes(out.differences) == ["duplicate"]
    dup = out.differences[0]
    assert dup.bill_id == 1 and "0000000009" in dup.detail and "2 " in dup.detail


def test_one_sided_groups_are_left_for_the_caller():
    assert classify_group([his()], []).his_only == [his()]
    assert classify_group([], [bill()]).bills_only == [bill()]
    out = classify_group(
        [his(settle_id=1), his(settle_id=2, settle_time=T0 + dt.timedelta(hours=1))], [bill()]
    )
    assert [e.kind for e in out.data_errors] == ["duplicate_bus_no"] and out.data_errors[0].settle_id == 2


def test_bills_without_settlement_are_missing_in_his_once_and_a_duplicate():
    found = missing_in_his([bill(bill_id=1), bill(bill_id=2, no="0000000002")], "business")
    assert classes(found) == ["duplicate", "missing_in_his"]


def test_second_pass_pairs_on_bill_code_and_number():
    nameless = his(bus_no=None, settle_id=7)
    other_bus = his(bus_no="B9", no="0000000005", settle_id=8)
    pairs, rest_his, rest_bills = pair_by_bill_number(
        [nameless, other_bus, his(bus_no="B3", no="0000000077")],
        [
            bill(),
            bill(bus_no="B5", no="0000000005", bill_id=5),
            bill(bus_no="B6", no="0000000006", bill_id=6),
        ],
    )
    assert {(h.settle_id, b.bill_id) for h, b in pairs} == {(7, 1), (8, 5)}
    assert [h.bus_no for h in rest_his] == ["B3"] and [b.bill_id for b in rest_bills] == [6]
    assert compare_by_number(nameless, bill()) == []
    assert classes(compare_by_number(other_bus, bill(bus_no="B5", no="0000000005"))) == ["bus_no_mismatch"]


def test_malformed_his_rows_are_data_errors():
    kinds = lambda row: sorted(e.kind for e in data_errors(row, KNOWN))  # noqa: E731
    assert kinds(his()) == []
    assert kinds(his(bus_no=None)) == ["null_bus_no"]
    assert kinds(his(amount="12,3.4x")) == ["bad_amount_text"]
    assert kinds(his(pay_channel="99")) == ["unknown_channel"]
    assert kinds(his(bus_no=" ", amount=None, pay_channel=None)) == [
        "bad_amount_text",
        "null_bus_no",
        "unknown_channel",
    ]
    assert data_errors(his(amount="N/A"), KNOWN)[0].bad_value == "N/A"


# ------------------------------------------------------------------------ buckets
def test_bucket_count_is_a_power_of_two_within_bounds():
    assert buckets.bucket_count(10_000_000, 8, 64, 1 << 22) == 1 << 21
    assert buckets.bucket_count(3_000, 8, 64, 1 << 22) == 512
    assert buckets.bucket_count(10, 8, 64, 1 << 22) == 64
    assert buckets.bucket_count(10**12, 8, 64, 1 << 22) == 1 << 22


def test_merge_by_bucket_pairs_ordered_streams_and_keeps_null_last():
    class R:
        def __init__(self, bucket, tag):
            self.bucket, self.tag = bucket, tag

    left = [R(1, "a"), R(1, "b"), R(4, "c"), R(None, "n1")]
    right = [R(1, "x"), R(2, "y"), R(None, "n2"), R(None, "n3")]
    merged = [
        (b, [r.tag for r in h], [r.tag for r in p])
        for b, h, p in buckets.merge_by_bucket(iter(left), iter(right))
    ]
    assert merged == [(1, ["a", "b"], ["x"]), (2, [], ["y"]), (4, ["c"], []), (None, ["n1"], ["n2", "n3"])]


def test_hash_choice_follows_the_engines():
    pg = Side("his", lambda: None, "postgresql")
    ora = Side("platform", lambda: None, "oracle")
    assert choose_hash("auto", pg, pg) == "native"
    assert choose_hash("auto", pg, ora) == "md5"
    with pytest.raises(ValueError, match="md5"):
        choose_hash("native", pg, ora)


def test_bounds_are_exact_on_the_basis_time_and_loose_on_the_other():
    w = Window(dt.datetime(2026, 11, 27), dt.datetime(2026, 11, 28))
    skew = dt.timedelta(days=62)
    business = Bounds(w, "business", skew).platform()
    assert (business["bus_lo"], business["bus_hi"]) == (w.start, w.end)
    assert business["ivc_lo"] == w.start - skew and business["ivc_hi"] == w.end + skew
    issue = Bounds(w, "issue", skew).platform()
    assert (issue["ivc_lo"], issue["ivc_hi"]) == (w.start, w.end) and issue["bus_lo"] == w.start - skew


def test_day_runs_group_consecutive_days():
    d = dt.date(2026, 11, 1)
    days = {d, d + dt.timedelta(days=1), d + dt.timedelta(days=3)}
    assert day_runs(days) == [
        (d, d + dt.timedelta(days=1)),
        (d + dt.timedelta(days=3), d + dt.timedelta(days=3)),
    ]


# ------------------------------------------------------------------------ totals
def test_totals_side_by_side_and_explained_by_the_detail():
    his_t = [SideTotal(DAY, "total", "*", 10, 100_000, 1), SideTotal(DAY, "bus_type", "02", 10, 100_000, 1)]
    plat_t = [SideTotal(DAY, "total", "*", 11, 100_500, 0), SideTotal(DAY, "bus_type", "02", 11, 100_500, 0)]
    other = DAY + dt.timedelta(days=1)
    lines = compare_totals(his_t, plat_t, [DAY, other], {(DAY, "total", "*"): [-1, -500]})
    by_key = {(x.biz_date, x.dimension, x.dim_value): x for x in lines}
    total = by_key[(DAY, "total", "*")]
    assert (total.diff_count, total.diff_amount, total.balanced, total.explained) == (
        -1,
        Decimal("-5.00"),
        False,
        True,
    )
    assert by_key[(DAY, "bus_type", "02")].explained is False  # the detail accounts for nothing there
    empty = by_key[(other, "total", "*")]  # a day without rows still has its line
    assert empty.balanced and empty.his_count == 0 and empty.explained is True
    assert compare_totals(his_t, plat_t, [DAY])[0].explained is None  # no detail: unknown


# ------------------------------------------------------------------------ finance
def test_finance_gap_explained_by_transit_bills():
    transit = [
        TransitBill(
            DAY, 1, "B1", "44060126", "1", "MZ01", "02", T0, 1, Decimal("10.00"), "before_supervision", None
        ),
        TransitBill(
            DAY, 2, "B2", "44060126", "2", "MZ01", "02", T0, -1, Decimal("4.00"), "before_supervision", None
        ),
        TransitBill(
            DAY, 3, "B3", "44060126", "3", "MZ01", "02", T0, 1, Decimal("5.00"), "before_archive", None
        ),
    ]
    platform = PlatformIssueDay(DAY, 100, Decimal("1000.00"), 98, 97)
    line = compare_day(DAY, platform, FinanceDay(DAY, 98, Decimal("994.00"), 97), transit)
    assert (line.count_diff, line.amount_diff, line.archived_diff) == (2, Decimal("6.00"), 3)
    assert not line.balanced and line.explained
    assert (line.transit_before_supervision, line.transit_before_archive) == (2, 1)
    worse = compare_day(DAY, platform, FinanceDay(DAY, 97, Decimal("994.00"), 97), transit)
    assert not worse.explained and "count gap" in worse.note
    even = compare_day(
        DAY, PlatformIssueDay(DAY, 5, Decimal("1.00"), 5, 5), FinanceDay(DAY, 5, Decimal("1.00"), 5), []
    )
    assert even.balanced and even.explained


# ------------------------------------------------------------------------ people's part
def test_statuses_are_carried_over_while_the_difference_is_there():
    diff = classify_group([his(amount="101.00")], [bill()]).differences[0]
    earlier = dt.datetime(2026, 11, 28, 9, 0)
    previous = [
        {
            "biz_date": DAY,
            "diff_class": "amount_mismatch",
            "diff_key": "B1",
            "status": "explained",
            "status_by": "zhang",
            "status_at": earlier,
            "status_reason": "refund next day",
            "first_seen_at": earlier,
        },
        {
            "biz_date": DAY,
            "diff_class": "amount_mismatch",
            "diff_key": "GONE",
            "status": "resolved",
            "status_by": "li",
            "status_at": earlier,
            "status_reason": "fixed",
            "first_seen_at": earlier,
        },
    ]
    now = dt.datetime(2026, 11, 29, 2, 0)
    rows = carry_status([diff], previous, now)
    assert len(rows) == 1
    assert (rows[0]["status"], rows[0]["status_by"], rows[0]["first_seen_at"]) == (
        "explained",
        "zhang",
        earlier,
    )
    fresh = carry_status([diff], [], now)[0]
    assert (fresh["status"], fresh["first_seen_at"]) == ("open", now)


def test_a_status_change_needs_who_and_why():
    ok = StatusChange(DAY, "amount_mismatch", "B1", "explained", "zhang", "HIS 补收")
    ok.validate()
    for bad in (
        StatusChange(DAY, "amount_mismatch", "B1", "explained", " ", "why"),
        StatusChange(DAY, "amount_mismatch", "B1", "explained", "zhang", ""),
        StatusChange(DAY, "amount_mismatch", "B1", "voided", "zhang", "why"),
        StatusChange(DAY, "nonsense", "B1", "resolved", "zhang", "why"),
    ):
        with pytest.raises(StatusError):
            bad.validate()


# ------------------------------------------------------------------------ report
def test_workbook_has_a_sheet_per_class_with_bilingual_headers():
    from openpyxl import load_workbook

    from ebill_ops.recon.model import DIFF_CLASSES
    from ebill_ops.recon.report import build_workbook

    diff = classify_group([his(amount="101.00")], [bill()]).differences[0]
    row = {
        **diff.row(),
        "status": "open",
        "status_by": None,
        "status_at": None,
        "status_reason": None,
        "first_seen_at": T0,
    }
    day = {
        "biz_date": DAY,
        "date_basis": "business",
        "balanced": 0,
        "explained": 1,
        "detail_status": "done",
        "detail_note": None,
        "differences": 1,
        "data_errors": 0,
        "computed_at": T0,
    }
    line = {
        "dimension": "total",
        "dim_value": "*",
        "his_count": 1,
        "his_amount": Decimal("101.00"),
        "his_bad_amounts": 0,
        "platform_count": 1,
        "platform_amount": Decimal("100.00"),
        "diff_count": 0,
        "diff_amount": Decimal("1.00"),
        "detail_count": 0,
        "detail_amount": Decimal("1.00"),
        "balanced": 0,
        "explained": 1,
    }
    data = build_workbook(day, [line], [row], [], None, [], site="H", finance_state="disabled")
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames[0] == "汇总 Summary"
    for cls in DIFF_CLASSES:
        assert any(name.endswith(cls) for name in wb.sheetnames), cls
    sheet = wb["金额不符 amount_mismatch"]
    headers = [c.value for c in sheet[1]]
    assert "业务流水号 bus_no" in headers and "HIS金额 his_amount" in headers
    assert [c.value for c in sheet[2]][headers.index("业务流水号 bus_no")] == "B1"
    assert sheet.max_row == 2 and wb["票号不符 bill_number_mismatch"].max_row == 1
    transit = {
        "kind": "before_supervision",
        "bill_id": 7,
        "bus_no": "B7",
        "ivc_date_time": T0,
        "direction": 1,
        "amount": Decimal("5.00"),
    }
    red = {**line, "dimension": "direction", "dim_value": "-1"}
    data = build_workbook(day, [line, red], [row], [], None, [transit], site="H", finance_state="disabled")
    book = load_workbook(io.BytesIO(data))
    values = [r[1] for r in book["汇总 Summary"].iter_rows(values_only=True)]
    assert "冲红 refund (red)" in values  # the code -1 is shown by name
    sheet = book["在途 Transit"]
    assert sheet.cell(2, 1).value == "未监制 not yet supervised by finance"


def test_report_finds_days_whose_dates_come_back_as_datetimes():
    from ebill_ops.recon.run import not_reconciled, rows_by_day

    # python-oracledb returns an Oracle DATE as a datetime; the report must still find the day.
    rows = rows_by_day([{"biz_date": dt.datetime(2026, 11, 27), "run_id": "r1"}])
    assert not_reconciled([DAY], rows, "r1") == []
    assert not_reconciled([DAY], rows, "r2") == [DAY]
    assert not_reconciled([DAY, DAY + dt.timedelta(days=1)], rows, None) == [DAY + dt.timedelta(days=1)]


def test_a_long_summary_is_not_a_change_every_run():
    from ebill_ops.recon.run import result_changed

    summary = "x" * 1500
    stored = {"summary": summary[:1000]}  # what incidents.track keeps
    assert result_changed("ongoing", stored, summary) is False
    assert result_changed("ongoing", stored, "y" + summary) is True
    assert result_changed("open", None, summary) is False  # an open mails anyway


def test_times_people_read_are_site_local():
    from zoneinfo import ZoneInfo

    from ebill_ops.config import common
    from ebill_ops.intervals import local_now

    site = dt.datetime.now(ZoneInfo(common().timezone)).replace(tzinfo=None)
    assert local_now().tzinfo is None
    assert abs(local_now() - site) < dt.timedelta(minutes=5)  # not the worker's UTC clock (8 h off)
