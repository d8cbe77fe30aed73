"""Data extraction: the request rules and the workbook without services; every extraction on the
sandbox against an independent count; masking; truncation; the DAG end to end with its mail."""

from __future__ import annotations

import datetime as dt
import html
import json
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
import sqlglot

from ebill_ops.extract.catalogue import BY_ID, CATALOGUE
from ebill_ops.extract.request import BadRequest, build, cycle_window, mask_id
from ebill_ops.extract.settings import ExtractSettings
from ebill_ops.extract.workbook import ExtractionWorkbook, label_maps
from ebill_ops.sql import load_sql
from tests.conftest import TEST_START, TODAY

DAG_ID = "ebill_data_extraction"
SETTINGS = ExtractSettings()
OPS = ["ebill-ops@hospital.example"]
# The test data's days, plus the weeks after them (bills dated in the future are an injected anomaly).
START, END = TEST_START.isoformat(), (TODAY + dt.timedelta(days=30)).isoformat()
# This year's first day: the year's stock ranges are handed down on 2 January (at most 396 days to END).
YEAR_START = dt.date(TODAY.year, 1, 1).isoformat()


def _build(**params):
    return build(params, SETTINGS, default_mail_to=OPS)


# --- the request ------------------------------------------------------------------------------
def test_mask_id_keeps_only_the_last_four():
    assert mask_id("440157197507157777") == "*" * 14 + "7777"
    assert mask_id("12345") == "*2345"
    assert mask_id("1234") == "****"
    assert mask_id(None) is None


def test_a_complete_request_is_accepted_with_its_window_and_filters():
    request = _build(
        extraction="bills_by_period", start="2026-11-01", end="2026-12-01", bus_type="02", pay_channel="05"
    )
    assert request.window.start == dt.datetime(2026, 11, 1) and request.window.end == dt.datetime(2026, 12, 1)
    assert request.filters == {
        "bus_type": "02",
        "place_code": None,
        "pay_channel": "05",
        "payer_id": None,
        "cycle_id": None,
    }
    assert request.max_rows == SETTINGS.max_rows and not request.send_mail
    one_day = _build(extraction="red_with_blue", start="2026-11-30 08:00")
    assert one_day.window.end == dt.datetime(2026, 12, 1, 8, 0)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"extraction": "everything"}, "unknown extraction 'everything'"),
        ({"extraction": "bills_by_period"}, "'start') is required by bills_by_period"),
        (
            {"extraction": "bills_by_period", "start": "2026-12-01", "end": "2026-11-01"},
            "must be after 'start'",
        ),
        ({"extraction": "bills_by_period", "start": "2026-13-01"}, "is not a date"),
        ({"extraction": "bills_by_period", "start": "2024-01-01", "end": "2026-01-01"}, "at most 400"),
        (
            {"extraction": "bills_by_period", "start": "2026-11-01", "payer_id": "1234567"},
            "does not apply to",
        ),
        (
            {"extraction": "bills_by_period", "start": "2026-11-01", "bus_type": "99"},
            "unknown business type '99'",
        ),
        (
            {"extraction": "bills_by_period", "start": "2026-11-01", "pay_channel": "77"},
            "unknown payment channel",
        ),
        (
            {"extraction": "bills_by_period", "start": "2026-11-01", "place_code": "MZ 01;"},
            "issuing point 'MZ 01;'",
        ),
        ({"extraction": "payer_bills", "start": "2026-11-01"}, "'payer_id') is required by payer_bills"),
        ({"extraction": "payer_bills", "start": "2026-11-01", "payer_id": "44-01"}, "payer ID '*4-01'"),
        ({"extraction": "audit_summary"}, "needs either 'cycle_id' or 'start'"),
        (
            {"extraction": "audit_summary", "cycle_id": 3, "start": "2026-11-01"},
            "needs either 'cycle_id' or 'start'",
        ),
        ({"extraction": "audit_summary", "cycle_id": -2}, "must be a positive whole number"),
        (
            {"extraction": "bills_by_period", "start": "2026-11-01", "max_rows": 10**7},
            "max_rows must be between",
        ),
        (
            {
                "extraction": "bills_by_period",
                "start": "2026-11-01",
                "send_mail": True,
                "mail_to": ["a@evil.example"],
            },
            "outside the allowed mail domains",
        ),
        (
            {
                "extraction": "bills_by_period",
                "start": "2026-11-01",
                "send_mail": True,
                "mail_to": ["not-an-address"],
            },
            "is not an e-mail address",
        ),
    ],
)
def test_bad_parameters_give_a_clear_error(params, expected):
    with pytest.raises(BadRequest) as caught:
        _build(**params)
    assert expected in str(caught.value)
    assert str(caught.value).startswith("参数错误 Bad parameters")


def test_every_problem_is_listed_at_once_and_the_payer_id_is_never_echoed():
    with pytest.raises(BadRequest) as caught:
        _build(
            extraction="bills_by_period", start="2026-12-01", end="2026-11-01", payer_id="440157197507157777"
        )
    assert len(caught.value.problems) == 2
    assert "440157197507157777" not in str(caught.value)


def test_shown_params_mask_the_payer_id():
    request = _build(extraction="payer_bills", start="2026-11-01", payer_id="440157197507157777")
    shown = request.shown_params()
    assert shown["payer_id"] == "*" * 14 + "7777"
    assert "440157197507157777" not in json.dumps(shown)
    assert request.query_params()["payer_id"] == "440157197507157777"  # the query still gets it


@pytest.mark.parametrize("extraction", CATALOGUE, ids=lambda e: e.id)
@pytest.mark.parametrize("dialect", ["oracle", "postgresql"])
def test_each_query_returns_the_catalogue_columns_in_order(extraction, dialect):
    parsed = sqlglot.parse_one(
        load_sql(extraction.query, dialect), read="oracle" if dialect == "oracle" else "postgres"
    )
    assert [name.lower() for name in parsed.named_selects] == [c.key for c in extraction.columns]
    assert all(c.zh and c.en for c in extraction.columns)


def test_workbook_keeps_cell_text_as_text_drops_illegal_characters_and_stops_at_the_cap(tmp_path):
    from openpyxl import load_workbook

    extraction = BY_ID["payer_bills"]
    book = ExtractionWorkbook(extraction, label_maps(SETTINGS.bus_types, SETTINGS.pay_channels))
    base = {c.key: None for c in extraction.columns}
    rows = []
    for i, payer in enumerate(['=HYPERLINK("http://x","y")', "张\x07三", "李四"]):
        row = {
            **base,
            "ivc_date_time": dt.datetime(2026, 11, 30, 9, i),
            "bill_no": f"000000000{i}",
            "state": 1,
            "direction": -1 if i else 1,
            "bus_type": "02",
            "payer": payer,
            "id_card_no": "440157197507157777",
            "total_amt": Decimal("12.30"),
            "signed_amt": Decimal("12.30") * (-1 if i else 1),
        }
        rows.append(tuple(row[c.key] for c in extraction.columns))
    written = book.write([rows[:2], rows[2:]], cap=2)
    assert (written.rows, written.truncated) == (2, True)
    assert written.totals["signed_amt"] == Decimal("0.00")
    path = tmp_path / "t.xlsx"
    path.write_bytes(book.finish([("行数 Rows", 2)], extraction.notes))
    sheet = load_workbook(path)[extraction.sheet_name]
    header = [c.value for c in sheet[1]]
    payer_col = header.index("交款人 Payer") + 1
    first, second = sheet.cell(2, payer_col), sheet.cell(3, payer_col)
    assert first.value == '=HYPERLINK("http://x","y")' and first.data_type == "s"
    assert second.value == "张三"
    assert sheet.cell(2, header.index("票据号码 Bill number") + 1).value == "0000000000"
    assert sheet.cell(2, header.index("证件号码(脱敏) Payer ID (masked)") + 1).value == "*" * 14 + "7777"
    assert sheet.cell(3, header.index("方向 Direction") + 1).value == "红票 red"
    assert sheet.max_row == 3  # header + 2 rows: the third was not written


def test_totals_are_exact_when_the_driver_gives_floats_as_oracle_does():
    """python-oracledb fetches NUMBER(16,2) as float and integral sums as int: totals stay exact."""
    extraction = BY_ID["audit_summary"]
    book = ExtractionWorkbook(extraction, label_maps(SETTINGS.bus_types, SETTINGS.pay_channels))
    keys = [c.key for c in extraction.columns]

    def row(**values):
        return tuple(values.get(k) for k in keys)

    rows = [
        row(bill_batch_code="44060126", issued=3, blue_amt=0.1, red_amt=0.2, net_amt=-0.1),
        row(bill_batch_code="44060126", issued=2.0, blue_amt=0.2, red_amt=None, net_amt=0.2),
        row(bill_batch_code="44060125", issued=1, blue_amt=Decimal("12.30"), red_amt=0, net_amt=12.3),
    ]
    written = book.write([rows], cap=10)
    assert written.totals["blue_amt"] == Decimal("12.60") and isinstance(written.totals["blue_amt"], Decimal)
    assert written.totals["red_amt"] == Decimal("0.20")
    assert written.totals["net_amt"] == Decimal("12.40")
    assert written.totals["issued"] == 6 and isinstance(written.totals["issued"], int)


def test_an_extraction_that_finds_nothing_still_gives_a_workbook_with_its_header(tmp_path):
    from openpyxl import load_workbook

    extraction = BY_ID["red_with_blue"]
    book = ExtractionWorkbook(extraction, label_maps(SETTINGS.bus_types, SETTINGS.pay_channels))
    written = book.write(iter([]), cap=10)
    assert (written.rows, written.truncated) == (0, False)
    assert written.totals == {"total_amt": Decimal("0.00"), "blue_total_amt": Decimal("0.00")}
    path = tmp_path / "empty.xlsx"
    path.write_bytes(book.finish([("行数 Rows", 0)], extraction.notes))
    sheet = load_workbook(path)[extraction.sheet_name]
    assert [c.value for c in sheet[1]] == [c.header for c in extraction.columns]
    assert sheet.max_row == 1


def _cycle(first: dt.date, last: dt.date) -> dict:
    return {"cycle_id": 7, "period_start": first, "period_end": last}


def test_an_audit_cycle_becomes_its_whole_period_end_exclusive():
    window = cycle_window(_cycle(dt.date(2025, 1, 1), dt.date(2025, 12, 31)), SETTINGS.max_days)
    assert (window.start, window.end) == (dt.datetime(2025, 1, 1), dt.datetime(2026, 1, 1))


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (
            dt.date(2025, 12, 31),
            dt.date(2025, 1, 1),
            "audit cycle 7 has no usable period (2025-12-31 ~ 2025-01-01)",
        ),
        (dt.date(2020, 1, 1), dt.date(2025, 12, 31), "audit cycle 7 covers 2192 days"),
        (dt.date.max, dt.date.max, "audit cycle 7 has no usable period (9999-12-31 ~ 9999-12-31)"),
    ],
    ids=["inverted", "too-long", "date-max"],
)
def test_an_audit_cycle_the_platform_holds_wrongly_is_refused_with_a_clear_error(first, last, expected):
    with pytest.raises(BadRequest) as caught:
        cycle_window(_cycle(first, last), SETTINGS.max_days)
    assert expected in str(caught.value)


def test_the_mail_names_each_total_by_its_column_header():
    from ebill_ops.extract import run

    result = {
        "extraction": "bills_by_period",
        "title": BY_ID["bills_by_period"].title,
        "params": {"start": "2026-11-01 00:00", "end": "2026-12-01 00:00"},
        "requested_by": None,
        "rows": 25,
        "total_rows": 40,
        "truncated": True,
        "totals": {"signed_amt": "1,234.50"},
        "url": "file:///x.xlsx",
        "sha256": "0" * 64,
        "generated_at": "2026-12-01 10:00:00",
    }
    body = html.unescape(run.render_mail(result, attached=False))
    assert "合计(已导出行) Total of exported rows: 计入金额 Signed amount" in body
    assert "signed_amt" not in body


# --- on the sandbox ---------------------------------------------------------------------------
def _workbook(url: str):
    from openpyxl import load_workbook

    path = Path(url.removeprefix("file://"))
    assert path.is_file(), url
    return load_workbook(path, read_only=True)


def _data_rows(book, extraction) -> list[tuple]:
    rows = list(book[extraction.sheet_name].iter_rows(values_only=True))
    assert list(rows[0]) == [c.header for c in extraction.columns]
    return rows[1:]


def _cover(book) -> dict[str, object]:
    rows = book["封面 Cover"].iter_rows(values_only=True)
    return {r[0]: (r[1] if len(r) > 1 else None) for r in rows if r and r[0]}


@pytest.fixture(scope="module")
def bill_rows(sandbox, manifest):
    """Every bill and payment of the session's data, fetched plainly for independent counts."""
    with psycopg.connect(sandbox.dsn("bill", "ebill_owner")) as conn:
        bills = conn.execute(
            "SELECT bill_id, ivc_date_time, bus_type, place_code, bill_batch_code, bill_no, direction, "
            "relate_bill_batch_code, relate_bill_no, total_amt, state, id_card_no FROM ebill.bill"
        ).fetchall()
        payments = conn.execute("SELECT bill_id, pay_channel FROM ebill.bill_payment").fetchall()
        ranges = conn.execute("SELECT place_code, handed_down_time FROM ebill.stock_range").fetchall()
        cycles = {
            r[0]: r[1:]
            for r in conn.execute("SELECT cycle_id, period_start, period_end FROM ebill.audit_cycle")
        }
    keys = (
        "bill_id",
        "ivc",
        "bus_type",
        "place",
        "code",
        "no",
        "direction",
        "rcode",
        "rno",
        "amt",
        "state",
        "idno",
    )
    return {
        "bills": [dict(zip(keys, b, strict=True)) for b in bills],
        "payments": payments,
        "ranges": ranges,
        "cycles": cycles,
    }


def _in(b, start: str, end: str) -> bool:
    return dt.datetime.fromisoformat(start) <= b["ivc"] < dt.datetime.fromisoformat(end)


def _expected(data, params) -> int:
    """Rows an extraction must return, counted in Python from plain reads."""
    kind = params["extraction"]
    if kind == "audit_summary" and params.get("cycle_id"):
        first, last = data["cycles"][params["cycle_id"]]
        params = {**params, "start": first.isoformat(), "end": (last + dt.timedelta(days=1)).isoformat()}
    bills = [b for b in data["bills"] if _in(b, params["start"], params["end"])]
    if params.get("place_code"):
        bills = [b for b in bills if b["place"] == params["place_code"]]
    if params.get("bus_type"):
        bills = [b for b in bills if b["bus_type"] == params["bus_type"]]
    if params.get("pay_channel"):
        paid = {bill_id for bill_id, channel in data["payments"] if channel == params["pay_channel"]}
        bills = [b for b in bills if b["bill_id"] in paid]
    if kind == "bills_by_period":
        return len(bills)
    if kind == "red_with_blue":
        return sum(b["direction"] == -1 for b in bills)
    if kind == "payer_bills":
        return sum(b["idno"] == params["payer_id"] for b in bills)
    if kind == "audit_summary":
        return len({(b["code"], b["place"]) for b in bills})
    if kind == "stock_movements":
        lo, hi = dt.datetime.fromisoformat(params["start"]), dt.datetime.fromisoformat(params["end"])
        handed = [
            r
            for r in data["ranges"]
            if lo <= r[1] < hi and (not params.get("place_code") or r[0] == params["place_code"])
        ]
        return len(handed) + len({(b["ivc"].date(), b["place"], b["code"]) for b in bills})
    raise AssertionError(kind)


def _busiest_payer(data) -> str:
    counts: dict[str, int] = {}
    for b in data["bills"]:
        if b["idno"] and _in(b, START, END):
            counts[b["idno"]] = counts.get(b["idno"], 0) + 1
    return max(counts, key=counts.__getitem__)


CASES = [
    {"extraction": "bills_by_period", "start": START, "end": END},
    {
        "extraction": "bills_by_period",
        "start": START,
        "end": END,
        "bus_type": "02",
        "place_code": "MZ01",
        "pay_channel": "05",
    },
    {"extraction": "bills_by_period", "start": START, "end": END, "pay_channel": "11"},
    {"extraction": "red_with_blue", "start": START, "end": END},
    {"extraction": "payer_bills", "start": YEAR_START, "end": END},
    {"extraction": "stock_movements", "start": YEAR_START, "end": END},
    {"extraction": "stock_movements", "start": YEAR_START, "end": END, "place_code": "ZY01"},
    {"extraction": "audit_summary", "start": START, "end": END},
    {"extraction": "audit_summary", "cycle_id": 4},
]


@pytest.mark.integration
@pytest.mark.parametrize(
    "params", CASES, ids=lambda p: "-".join(str(v) for k, v in p.items() if k not in ("start", "end"))
)
def test_each_extraction_returns_exactly_the_rows_an_independent_count_finds(params, bill_rows):
    from ebill_ops.extract import run

    if params["extraction"] == "payer_bills":
        params = {**params, "payer_id": _busiest_payer(bill_rows)}
    expected = _expected(bill_rows, params)
    assert expected > 0, f"the case selects nothing: {params}"
    result = run.extract(params, run_id=f"test_{params['extraction']}", triggered_by="pytest")
    assert (result["rows"], result["total_rows"], result["truncated"]) == (expected, expected, False)
    extraction = BY_ID[params["extraction"]]
    book = _workbook(result["url"])
    assert book.sheetnames == ["封面 Cover", extraction.sheet_name]
    assert len(_data_rows(book, extraction)) == expected
    cover = _cover(book)
    assert cover["行数 Rows"] == expected and cover["操作人 Triggered by"] == "pytest"
    assert "只读 read-only" in cover["数据来源 Source"] and cover["完整性 Complete"].startswith("是")


@pytest.mark.integration
def test_payer_ids_are_masked_in_the_workbook_the_result_and_the_log(bill_rows, caplog):
    from ebill_ops.extract import run

    payer = _busiest_payer(bill_rows)
    with caplog.at_level("DEBUG"):
        result = run.extract(
            {"extraction": "payer_bills", "start": YEAR_START, "end": END, "payer_id": payer},
            run_id="test_masking",
        )
    extraction = BY_ID["payer_bills"]
    book = _workbook(result["url"])
    rows = _data_rows(book, extraction)
    column = [c.key for c in extraction.columns].index("id_card_no")
    assert rows and {r[column] for r in rows} == {"*" * (len(payer) - 4) + payer[-4:]}
    every_cell = [str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row if v]
    assert not [v for v in every_cell if payer in v]
    assert payer not in json.dumps(result, ensure_ascii=False) and payer not in caplog.text
    assert _cover(book)["交款人证件号 Payer ID"] == mask_id(payer)


@pytest.mark.integration
def test_red_bills_are_paired_and_the_injected_broken_pairs_are_flagged(manifest, bill_rows):
    from ebill_ops.extract import run

    result = run.extract({"extraction": "red_with_blue", "start": START, "end": END}, run_id="test_red")
    extraction = BY_ID["red_with_blue"]
    keys = [c.key for c in extraction.columns]
    rows = [dict(zip(keys, r, strict=True)) for r in _data_rows(_workbook(result["url"]), extraction)]
    flagged = {(r["bill_batch_code"], r["bill_no"]): r["check_result"] for r in rows}
    missing = {(e["bill_batch_code"], e["bill_no"]) for e in manifest["spec"] if e["rule"] == "red_has_blue"}
    differs = {
        (e["bill_batch_code"], e["bill_no"])
        for e in manifest["spec"]
        if e["rule"] == "red_amount_equals_blue"
    }
    assert missing and {flagged[k] for k in missing} == {"原票缺失 blue bill not found"}
    assert differs and {flagged[k] for k in differs} == {"金额不符 amounts differ"}
    # A blue bill reversed twice (a double refund): every red bill pointing at it is flagged.
    twice_blues = {
        (e["bill_batch_code"], e["bill_no"]) for e in manifest["spec"] if e["rule"] == "red_at_most_one"
    }
    twice = {
        (r["bill_batch_code"], r["bill_no"])
        for r in rows
        if (r["blue_bill_batch_code"], r["blue_bill_no"]) in twice_blues
    }
    assert len(twice) >= 2 * len(twice_blues) > 0
    assert {flagged[k] for k in twice} == {"期间内多次冲红 blue bill reversed more than once in the period"}
    # Independently: a red bill whose relate code/number names no blue bill is "not found".
    blues = {(b["code"], b["no"]) for b in bill_rows["bills"] if b["direction"] == 1}
    reds = [b for b in bill_rows["bills"] if b["direction"] == -1 and _in(b, START, END)]
    assert {(b["code"], b["no"]) for b in reds if (b["rcode"], b["rno"]) not in blues} == {
        k for k, v in flagged.items() if v == "原票缺失 blue bill not found"
    }


@pytest.mark.integration
def test_a_capped_extraction_says_it_is_truncated_and_how_many_rows_match(bill_rows):
    from ebill_ops.extract import run

    params = {"extraction": "bills_by_period", "start": START, "end": END, "max_rows": 25}
    result = run.extract(params, run_id="test_cap")
    expected = _expected(bill_rows, params)
    assert (result["rows"], result["total_rows"], result["truncated"]) == (25, expected, True)
    book = _workbook(result["url"])
    assert len(_data_rows(book, BY_ID["bills_by_period"])) == 25
    note = _cover(book)["已截断 TRUNCATED"]
    assert f"仅导出前 25 行，符合条件共 {expected:,} 行" in note and "narrow the window" in note


@pytest.mark.integration
def test_names_the_platform_does_not_know_are_refused_before_any_row_is_read(bill_rows):
    from ebill_ops.extract import run

    with pytest.raises(BadRequest, match=r"unknown issuing point 'NOPE' \(known: JZ01, MZ01"):
        run.check({"extraction": "bills_by_period", "start": START, "place_code": "NOPE"})
    with pytest.raises(BadRequest, match="unknown audit cycle 999"):
        run.check({"extraction": "audit_summary", "cycle_id": 999})
    described = run.check({"extraction": "audit_summary", "cycle_id": 4})
    first, last = bill_rows["cycles"][4]
    assert (described["params"]["start"], described["params"]["end"]) == (
        f"{first} 00:00",
        f"{last + dt.timedelta(days=1)} 00:00",  # the cycle's last day is included
    )


def _total(value) -> str:
    """A total as the result and the cover show it."""
    return f"{value:,.2f}" if isinstance(value, Decimal) else f"{value:,}"


@pytest.mark.integration
def test_audit_summary_sums_money_by_direction_and_counts_voided_bills_without_their_amount(
    sandbox, manifest
):
    from ebill_ops.extract import run

    with psycopg.connect(sandbox.dsn("bill", "ebill_owner"), autocommit=True) as conn:
        # The generator voids no bill: add one voided blue bill to the window for this test only.
        bill_id = conn.execute("SELECT max(bill_id) + 1 FROM ebill.bill").fetchone()[0]
        conn.execute(
            "INSERT INTO ebill.bill (bill_id, bus_type, place_code, bill_batch_code, bill_no, data_type, state,"
            " direction, total_amt, bus_date_time, ivc_date_time)"
            " SELECT %s, bus_type, place_code, bill_batch_code, '9999999999', 1, 2, 1, 777.77,"
            " ivc_date_time, ivc_date_time FROM ebill.bill"
            " WHERE direction = 1 AND ivc_date_time >= %s ORDER BY ivc_date_time LIMIT 1",
            (bill_id, TEST_START),
        )
        try:
            bills = conn.execute(
                "SELECT direction, state, total_amt, archive_time IS NOT NULL FROM ebill.bill"
                " WHERE ivc_date_time >= %s AND ivc_date_time < %s",
                (dt.datetime.fromisoformat(START), dt.datetime.fromisoformat(END)),
            ).fetchall()
            result = run.extract(
                {"extraction": "audit_summary", "start": START, "end": END}, run_id="test_audit"
            )
        finally:
            conn.execute("DELETE FROM ebill.bill WHERE bill_id = %s", (bill_id,))
    live = [b for b in bills if b[1] != 2]
    blue = sum((b[2] for b in live if b[0] == 1), Decimal("0.00"))
    red = sum((b[2] for b in live if b[0] == -1), Decimal("0.00"))
    expected = {
        "issued": len(bills),
        "blue_count": sum(b[0] == 1 for b in bills),
        "red_count": sum(b[0] == -1 for b in bills),
        "voided": 1,
        "reversed": sum(b[1] == 3 for b in bills),
        "blue_amt": blue,
        "red_amt": red,
        "net_amt": blue - red,
        "archived": sum(b[3] for b in bills),
        "not_archived": sum(not b[3] for b in bills),
    }
    assert expected["red_count"] and expected["reversed"] and expected["archived"]
    assert {k: result["totals"][k] for k in expected} == {k: _total(v) for k, v in expected.items()}
    cover = _cover(_workbook(result["url"]))
    assert cover["合计 Total: 净额 Net amount"] == _total(blue - red)


@pytest.mark.integration
def test_stock_movements_add_handed_down_ranges_and_subtract_issued_numbers(sandbox, manifest):
    from ebill_ops.extract import run

    lo, hi = dt.datetime.fromisoformat(YEAR_START), dt.datetime.fromisoformat(END)
    with psycopg.connect(sandbox.dsn("bill", "ebill_owner")) as conn:
        handed = conn.execute(
            "SELECT start_no, end_no FROM ebill.stock_range WHERE handed_down_time >= %s AND handed_down_time < %s",
            (lo, hi),
        ).fetchall()
        issued = conn.execute(
            "SELECT count(*) FROM ebill.bill WHERE ivc_date_time >= %s AND ivc_date_time < %s", (lo, hi)
        ).fetchone()[0]
    handed_in = sum(int(last) - int(first) + 1 for first, last in handed)
    assert handed_in and issued
    result = run.extract(
        {"extraction": "stock_movements", "start": YEAR_START, "end": END}, run_id="test_stock"
    )
    assert result["totals"] == {"quantity": _total(handed_in - issued)}


# --- the DAG ----------------------------------------------------------------------------------
def _conf(**overrides):
    """Every param explicitly: dag.test() on a shared DAG object keeps params of an earlier run."""
    return {
        "extraction": "bills_by_period",
        "start": None,
        "end": None,
        "bus_type": None,
        "place_code": None,
        "pay_channel": None,
        "payer_id": None,
        "cycle_id": None,
        "max_rows": None,
        "requested_by": None,
        "send_mail": False,
        "mail_to": [],
        **overrides,
    }


def test_the_dag_is_manual_read_only_and_its_form_offers_the_catalogue(dagbag):
    dag = dagbag.dags[DAG_ID]
    assert type(dag.timetable).__name__ == "NullTimetable"
    assert {"manual", "extraction", "read-only"} <= set(dag.tags)
    assert dag.params.get_param("extraction").schema["enum"] == [e.id for e in CATALOGUE]
    assert set(dag.params.keys()) == set(_conf())
    assert [t.task_id for t in dag.topological_sort()] == ["check_request", "extract", "deliver"]


@pytest.mark.e2e
def test_the_dag_writes_the_workbook_returns_its_url_and_mails_it(run_dag, sandbox, manifest, bill_rows):
    from sandbox import smtp_sink

    smtp_sink.clear(sandbox)
    conf = _conf(start=START, end=END, bus_type="02", send_mail=True, requested_by="审计署 2026-118")
    dagrun, xcom = run_dag(DAG_ID, TODAY, **conf)
    assert dagrun.state == "success"
    result = xcom("deliver")
    expected = _expected(bill_rows, conf)
    assert result["rows"] == expected and result["url"].endswith(".xlsx")
    assert result["mailed_to"] == OPS
    cover = _cover(_workbook(result["url"]))
    assert (
        cover["申请人/用途 Requested for"] == "审计署 2026-118"
        and cover["业务类型 Business type"] == "02 门诊 outpatient"
    )
    mail = smtp_sink.wait_for(
        sandbox, lambda m: DAG_ID in m["Subject"] and "REPORT" in m["Subject"], timeout=30
    )[0]
    assert "期间票据明细" in mail["Subject"] and f"{expected} 行 rows" in mail["Subject"]
    attachments = list(mail.iter_attachments())
    assert [a.get_filename() for a in attachments] == [result["file_name"]]
    assert attachments[0].get_content() == Path(result["url"].removeprefix("file://")).read_bytes()
    body = mail.get_body(preferencelist=("html",)).get_content()
    assert result["url"] in body and "审计署 2026-118" in body
    assert (
        f'合计 Total: 计入金额 Signed amount</th><td align="right" style="border:1px solid #d0d7de">{result["totals"]["signed_amt"]}'
        in body
    )


@pytest.mark.e2e
def test_the_dag_refuses_bad_parameters_before_reading_and_says_why(
    run_dag, sandbox, manifest, forget_incidents
):
    from sandbox import smtp_sink

    smtp_sink.clear(sandbox)
    forget_incidents(f"failed:{DAG_ID}:")  # an earlier failed run's open incident would hold the mail back
    dagrun, _ = run_dag(DAG_ID, TODAY, **_conf(start="2026-11-30", end="2026-11-01"))
    states = {ti.task_id: ti.state for ti in dagrun.get_task_instances()}
    assert dagrun.state == "failed"
    assert states == {"check_request": "failed", "extract": "upstream_failed", "deliver": "upstream_failed"}
    assert dagrun.get_task_instance("check_request").try_number == 1  # a parameter error is not retried
    mail = smtp_sink.wait_for(
        sandbox, lambda m: DAG_ID in m["Subject"] and "FAILED" in m["Subject"], timeout=30
    )[0]
    assert "must be after 'start'" in html.unescape(mail.get_body(preferencelist=("html",)).get_content())


def test_the_operator_docs_list_every_extraction_and_column():
    repo = Path(__file__).resolve().parent.parent
    text = (repo / "docs" / "data-extraction.md").read_text()
    for extraction in CATALOGUE:
        assert f"`{extraction.id}`" in text
        for column in extraction.columns:
            assert f"| `{column.key}` | {column.header} |" in text, (extraction.id, column.key)
    assert (repo / "docs" / "runbooks" / f"{DAG_ID}.md").is_file()
