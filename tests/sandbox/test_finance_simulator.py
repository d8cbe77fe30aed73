"""The finance-platform simulator over a real socket and real PostgreSQL, driven by our client.

Every test uses its own bill numbers and issue dates, so the tests share one simulator and stay
independent; faults are cleared after each test.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from ebill_ops.finance.client import BillKey, FinanceError, FinanceUnavailable, UploadBill
from ebill_ops.finance.protocol import decode_response, encode_request
from sandbox.connections import FINANCE_APPID
from sandbox.finance import state
from sandbox.finance.faults import SHANGHAI
from tests.sandbox.conftest import FinanceSim

pytestmark = pytest.mark.integration

_numbers = itertools.count(1)
_days = itertools.count(0)


def new_day() -> date:
    """An issue date no other test uses (far from the generator's data)."""
    return date(2031, 1, 1) + timedelta(days=next(_days))


def bill(day: date, amount: str = "100.00", direction: int = 1, **over: Any) -> dict[str, Any]:
    data = {
        "billBatchCode": "44060131",
        "billNo": f"{next(_numbers):010d}",
        "checkCode": "A1b2C3",
        "busNo": f"0220310101{next(_numbers):07d}",
        "placeCode": "MZ01",
        "ivcDateTime": f"{day.isoformat()} 09:30:00",
        "totalAmt": amount,
        "direction": direction,
    }
    data.update(over)
    return data


def key(b: dict[str, Any]) -> BillKey:
    return BillKey(b["billBatchCode"], b["billNo"])


@pytest.fixture
def sim(finance_sim: FinanceSim) -> Iterator[FinanceSim]:
    yield finance_sim
    state.clear_faults(finance_sim.settings)


@pytest.fixture
def client(sim: FinanceSim):
    with sim.client() as c:
        yield c


def raw_post(sim: FinanceSim, service: str, body: Any) -> httpx.Response:
    return httpx.post(f"{sim.base_url}/finance/api/medical/{service}", json=body, timeout=30)


# --- the services ----------------------------------------------------------------------------------
def test_ping(client) -> None:
    answer = client.ping()
    assert answer.message == "pong"
    assert isinstance(answer.server_time, datetime)


def test_upload_supervises_each_bill_once(sim, client) -> None:
    day = new_day()
    bills = [bill(day), bill(day, "50.50"), bill(day, "30.25", -1)]
    results = client.upload_bills(bills)
    assert [r.key for r in results] == [key(b) for b in bills]
    assert all(r.ok and not r.duplicate and r.supervise_time is not None for r in results)
    statuses = client.query_status([key(b) for b in bills])
    assert all(s.found and s.supervised and not s.archived for s in statuses)
    assert [s.supervise_time for s in statuses] == [r.supervise_time for r in results]
    assert set(state.upload_counts(sim.settings, [key(b) for b in bills]).values()) == {1}
    held = state.bills(sim.settings, [key(bills[2])])[key(bills[2])]
    assert held["direction"] == -1 and held["total_amt"] == Decimal("30.25")
    assert held["ivc_date"] == day and held["duplicate_count"] == 0


def test_supervise_time_is_naive_local_time(sim, client) -> None:
    (result,) = client.upload_bills([bill(new_day())])
    held = state.bills(sim.settings, [result.key])[result.key]
    assert held["supervise_time"].tzinfo is None
    local_now = datetime.now(SHANGHAI).replace(tzinfo=None)
    # Local Shanghai wall-clock, not UTC: the two differ by 8 hours.
    assert abs(local_now - held["supervise_time"]) < abs(
        local_now - timedelta(hours=8) - held["supervise_time"]
    )


def test_reupload_is_idempotent_and_counted(sim, client) -> None:
    day = new_day()
    bills = [bill(day), bill(day, "12.00")]
    first = client.upload_bills(bills)
    again = client.upload_bills(bills)
    assert all(r.ok and r.duplicate for r in again)
    assert [r.supervise_time for r in again] == [r.supervise_time for r in first]
    keys = [key(b) for b in bills]
    assert state.upload_counts(sim.settings, keys) == {k: 2 for k in keys}
    assert all(row["duplicate_count"] == 1 for row in state.bills(sim.settings, keys).values())
    assert state.upload_events(sim.settings, keys) == {k: ["supervised", "duplicate"] for k in keys}
    totals = client.daily_totals(day)
    assert totals.count == 2  # not supervised twice


def test_bad_bill_gets_e2001_and_is_not_stored(sim, client) -> None:
    day = new_day()
    good = bill(day)
    bad = [
        bill(day, billBatchCode="4406013"),
        bill(day, billNo="12345"),
        bill(day, checkCode="AB12-"),
        bill(day, ivcDateTime="2031-01-01T09:30:00"),
        bill(day, amount="12.345"),
        bill(day, amount="abc"),
        bill(day, amount="0.00"),
        bill(day, direction=0),
    ]
    results = client.upload_bills([good, *bad])
    assert results[0].ok
    assert [r.result for r in results[1:]] == ["E2001"] * len(bad)
    assert all(r.message.startswith("bad bill data") for r in results[1:])
    assert state.bills(sim.settings, [key(b) for b in bad]) == {}
    assert client.daily_totals(day).count == 1


def test_conflicting_duplicate_is_detected(sim, client) -> None:
    day = new_day()
    original = bill(day, "80.00")
    client.upload_bills([original])
    results = client.upload_bills(
        [
            {**original, "totalAmt": "81.00"},
            {**original, "checkCode": "ZZZZZZ"},
            {**original, "direction": -1},
        ]
    )
    assert [r.result for r in results] == ["E2002"] * 3
    held = state.bills(sim.settings, [key(original)])[key(original)]
    assert (held["total_amt"], held["check_code"], held["upload_count"]) == (Decimal("80.00"), "A1b2C3", 1)
    assert state.upload_events(sim.settings, [key(original)])[key(original)] == [
        "supervised",
        *["conflict"] * 3,
    ]


def test_archive(sim, client) -> None:
    day = new_day()
    supervised = bill(day)
    client.upload_bills([supervised])
    with state.connect(sim.settings) as conn:  # a bill finance holds but has not supervised
        unsupervised = bill(day)
        conn.execute(
            "INSERT INTO finsim.bill (bill_batch_code, bill_no, ivc_date, ivc_date_time, total_amt, direction) "
            "VALUES (%s, %s, %s, %s, 1, 1)",
            (unsupervised["billBatchCode"], unsupervised["billNo"], day, datetime(2031, 1, 1)),
        )
    unknown = bill(day)
    results = client.archive_bills([key(supervised), key(unsupervised), key(unknown), ("bad", "key")])
    assert results[0].ok and results[0].archive_time is not None
    assert [r.result for r in results[1:]] == ["E3001"] * 3
    again = client.archive_bills([key(supervised)])
    assert again[0].ok and again[0].archive_time == results[0].archive_time
    held = state.bills(sim.settings, [key(supervised)])[key(supervised)]
    assert held["archive_count"] == 2
    (status,) = client.query_status([key(supervised)])
    assert status.archived and status.archive_time == results[0].archive_time


def test_query_unknown_bill(client) -> None:
    (status,) = client.query_status([("44060131", "9999999999")])
    assert not status.found and not status.supervised and status.supervise_time is None


def test_daily_totals_count_red_bills_negative(client) -> None:
    day = new_day()
    bills = [bill(day, "100.00"), bill(day, "50.50"), bill(day, "30.25", -1), bill(day + timedelta(days=400))]
    client.upload_bills(bills)
    client.archive_bills([key(bills[0])])
    totals = client.daily_totals(day)
    assert (totals.date, totals.count, totals.amount) == (day, 3, Decimal("120.25"))
    assert (totals.blue_count, totals.red_count, totals.archived_count) == (2, 1, 1)
    empty = client.daily_totals(day - timedelta(days=3000))
    assert (empty.count, empty.amount) == (0, Decimal("0.00"))


def test_large_upload_is_split_into_requests_of_200(sim, client) -> None:
    day = new_day()
    before = state.stats(sim.settings)["requests"]["by_service"].get("uploadBill", 0)
    bills = [bill(day, "1.00") for _ in range(450)]
    results = client.upload_bills(bills)
    assert len(results) == 450 and all(r.ok for r in results)
    after = state.stats(sim.settings)["requests"]["by_service"]["uploadBill"]
    assert after - before == 3
    assert client.daily_totals(day).count == 450


def test_concurrent_resends_supervise_each_bill_once(sim) -> None:
    """Several clients send the same bills at once, in different orders: one supervision each."""
    import random
    from concurrent.futures import ThreadPoolExecutor

    day = new_day()
    bills = [bill(day) for _ in range(40)]

    def send(seed: int) -> list[Any]:
        mine = bills[:]
        random.Random(seed).shuffle(mine)
        with sim.client() as c:
            return c.upload_bills(mine)

    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(send, range(6)))
    assert all(r.ok for results in answers for r in results)
    keys = [key(b) for b in bills]
    events = state.upload_events(sim.settings, keys)
    assert all(sorted(e) == ["duplicate"] * 5 + ["supervised"] for e in events.values())
    assert set(state.upload_counts(sim.settings, keys).values()) == {6}
    times: dict[BillKey, set[Any]] = {}
    for results in answers:
        for r in results:
            times.setdefault(r.key, set()).add(r.supervise_time)
    assert all(len(t) == 1 for t in times.values())  # every answer for a bill carries one supervise time


def test_snake_case_rows_upload(client) -> None:
    """Rows read from the data contract (snake_case, Decimal, datetime) upload as they are."""
    day = new_day()
    row = {
        "bill_batch_code": "44060131",
        "bill_no": f"{next(_numbers):010d}",
        "check_code": "QWE123",
        "bus_no": "住院-0001",
        "place_code": "ZY01",
        "ivc_date_time": datetime(day.year, day.month, day.day, 23, 59, 59),
        "total_amt": Decimal("7.5"),
        "direction": 1,
    }
    (result,) = client.upload_bills([UploadBill.from_mapping(row)])
    assert result.ok
    totals = client.daily_totals(day)
    assert (totals.count, totals.amount) == (1, Decimal("7.50"))


def test_chinese_text_is_stored(sim, client) -> None:
    b = bill(new_day(), busNo="门诊-挂号-0001", placeCode="门诊收费处")
    client.upload_bills([b])
    held = state.bills(sim.settings, [key(b)])[key(b)]
    assert (held["bus_no"], held["place_code"]) == ("门诊-挂号-0001", "门诊收费处")


# --- protocol-level refusals -------------------------------------------------------------------------
def test_replayed_noise_is_rejected(sim) -> None:
    body = encode_request(FINANCE_APPID, sim.key, {})
    first = decode_response(raw_post(sim, "ping", body).json(), sim.key)
    second = decode_response(raw_post(sim, "ping", body).json(), sim.key)
    assert first["result"] == "S0000"
    assert (second["result"], second["message"]) == ("E0003", "duplicate noise")


def test_bad_sign_is_rejected(sim) -> None:
    body = encode_request(FINANCE_APPID, sim.key, {"date": "2031-01-01"})
    body["sign"] = "0" * 32
    response = raw_post(sim, "checkTotalData", body)
    assert response.status_code == 200
    assert decode_response(response.json(), sim.key)["result"] == "E0001"


def test_wrong_key_raises_finance_error(sim) -> None:
    with sim.client(key="not-the-key") as client, pytest.raises(FinanceError) as info:
        client.ping()
    assert info.value.code == "E0001" and not info.value.retryable


def test_unknown_appid_and_service(sim, client) -> None:
    with sim.client(appid="NOBODY") as other, pytest.raises(FinanceError) as info:
        other.ping()
    assert info.value.code == "E0002"
    with pytest.raises(FinanceError) as info:
        client.call("invoiceEBillOutpatient", {})
    assert info.value.code == "E0004"


def test_malformed_body_and_params(sim, client) -> None:
    response = httpx.post(f"{sim.base_url}/finance/api/medical/ping", content=b"{not json", timeout=30)
    assert decode_response(response.json(), sim.key)["result"] == "E0005"
    with pytest.raises(FinanceError) as info:
        client.call("uploadBill", {"bills": [bill(new_day()) for _ in range(201)]})
    assert info.value.code == "E0006"
    with pytest.raises(FinanceError) as info:
        client.call("checkTotalData", {"date": "yesterday"})
    assert info.value.code == "E0006"


def test_every_request_is_logged(sim, client) -> None:
    before = state.stats(sim.settings)["requests"]
    client.ping()
    with sim.client(key="not-the-key") as other, pytest.raises(FinanceError):
        other.ping()
    after = state.stats(sim.settings)["requests"]
    assert after["total"] - before["total"] == 2
    assert after["by_result"]["E0001"] - before["by_result"].get("E0001", 0) == 1


# --- faults ------------------------------------------------------------------------------------------
def test_outage_window_makes_the_client_fail_fast(sim, client) -> None:
    now = datetime.now(SHANGHAI)
    response = httpx.put(
        f"{sim.base_url}/admin/faults",
        json={
            "outage_start": (now - timedelta(minutes=1)).isoformat(),
            "outage_end": (now + timedelta(hours=1)).isoformat(),
        },
        timeout=30,
    )
    assert response.status_code == 200 and response.json()["outage_active"] is True
    b = bill(new_day())
    with pytest.raises(FinanceUnavailable, match="HTTP 503"):  # an answer, not a timeout
        client.upload_bills([b])
    assert state.bills(sim.settings, [key(b)]) == {}
    assert httpx.get(f"{sim.base_url}/health", timeout=30).json()["outage"] is True
    httpx.post(f"{sim.base_url}/admin/faults/clear", timeout=30).raise_for_status()
    assert client.upload_bills([b])[0].ok


def test_future_outage_is_not_active_yet(sim, client) -> None:
    start = datetime.now(SHANGHAI) + timedelta(hours=5)
    state.set_faults(sim.settings, outage_start=start, outage_end=start + timedelta(hours=1))
    assert client.ping().message == "pong"


def test_outage_set_by_sql_takes_effect_and_ends(sim, client) -> None:
    state.start_outage(sim.settings)
    with pytest.raises(FinanceUnavailable):
        client.ping()
    assert state.stats(sim.settings)["requests"]["by_result"]["HTTP503"] >= 1
    state.end_outage(sim.settings)
    assert client.ping().message == "pong"


def test_error_rate_is_deterministic(sim, client) -> None:
    state.set_faults(sim.settings, error_rate=0.5, error_code="E0501")
    outcomes = []
    for _ in range(6):
        try:
            client.ping()
            outcomes.append("ok")
        except FinanceError as exc:
            assert exc.retryable
            outcomes.append(exc.code)
    assert outcomes == ["ok", "E0501"] * 3


def test_error_rate_one_fails_whole_requests_and_stores_nothing(sim, client) -> None:
    httpx.put(f"{sim.base_url}/admin/faults", json={"error_rate": 1.0}, timeout=30).raise_for_status()
    b = bill(new_day())
    with pytest.raises(FinanceError) as info:
        client.upload_bills([b])
    assert info.value.code == "E0500"
    assert state.bills(sim.settings, [key(b)]) == {}


def test_added_latency_delays_answers_and_trips_timeouts(sim, client) -> None:
    state.set_faults(sim.settings, added_latency_ms=400)
    assert client.ping().elapsed_ms >= 400
    state.set_faults(sim.settings, added_latency_ms=2000)
    with sim.client(timeout=0.5) as impatient, pytest.raises(FinanceUnavailable, match="timed out"):
        impatient.ping()


def test_fault_admin_validates_and_merges(sim) -> None:
    url = f"{sim.base_url}/admin/faults"
    assert httpx.put(url, json={"error_rate": 2}, timeout=30).status_code == 400
    assert httpx.put(url, json={"error_code": "oops"}, timeout=30).status_code == 400
    assert httpx.put(url, json={"bogus": 1}, timeout=30).status_code == 400
    window = {"outage_start": "2031-01-02T10:00:00", "outage_end": "2031-01-02T09:00:00"}
    assert httpx.put(url, json=window, timeout=30).status_code == 400
    httpx.put(url, json={"added_latency_ms": 1}, timeout=30).raise_for_status()
    merged = httpx.put(url, json={"error_code": "E0599"}, timeout=30).json()
    assert (merged["added_latency_ms"], merged["error_code"]) == (1, "E0599")
    assert httpx.get(url, timeout=30).json() == {
        **merged,
        "updated_at": httpx.get(url, timeout=30).json()["updated_at"],
    }
    naive = httpx.put(url, json={"outage_start": "2031-01-02T10:00:00"}, timeout=30).json()
    assert naive["outage_start"] == "2031-01-02T10:00:00+08:00"  # naive times are Shanghai local
    cleared = httpx.post(f"{url}/clear", timeout=30).json()
    assert (cleared["error_rate"], cleared["added_latency_ms"], cleared["outage_start"]) == (0.0, 0, None)


def test_admin_stats_and_health(sim, client) -> None:
    b = bill(new_day())
    client.upload_bills([b])
    client.upload_bills([b])
    stats = httpx.get(f"{sim.base_url}/admin/stats", timeout=30).json()
    assert stats == json.loads(json.dumps(state.stats(sim.settings)))
    assert stats["bills"]["duplicate_uploads"] >= 1 and stats["bills"]["bills_with_duplicates"] >= 1
    assert stats["upload_events"]["duplicate"] >= 1
    assert httpx.get(f"{sim.base_url}/health", timeout=30).json() == {
        "status": "ok",
        "database": True,
        "outage": False,
    }


# --- restarts ------------------------------------------------------------------------------------------
def test_state_survives_a_restart(sim) -> None:
    day = new_day()
    b = bill(day)
    with sim.client() as client:
        (uploaded,) = client.upload_bills([b])
    replay = encode_request(FINANCE_APPID, sim.key, {})
    assert decode_response(raw_post(sim, "ping", replay).json(), sim.key)["result"] == "S0000"
    state.set_faults(sim.settings, error_code="E0555", reload=False)
    sim.restart()
    with sim.client() as client:
        (status,) = client.query_status([key(b)])
        assert status.supervised and status.supervise_time == uploaded.supervise_time
        assert client.upload_bills([b])[0].duplicate
        assert client.daily_totals(day).count == 1
    assert decode_response(raw_post(sim, "ping", replay).json(), sim.key)["result"] == "E0003"
    assert httpx.get(f"{sim.base_url}/admin/faults", timeout=30).json()["error_code"] == "E0555"


def test_hook_builds_the_client_from_the_airflow_connection(sim, monkeypatch) -> None:
    from ebill_ops.finance.hook import FinanceGatewayHook
    from sandbox.connections import connections

    conn = connections(sim.settings)["finance_gateway"]
    monkeypatch.setenv("AIRFLOW_CONN_FINANCE_GATEWAY", json.dumps(conn))
    hook = FinanceGatewayHook()
    with hook.get_client() as client:
        assert client.ping().message == "pong"
        assert "key" not in repr(client).lower().replace("appid", "")
        assert sim.key not in repr(client)
    assert hook.test_connection()[0]
