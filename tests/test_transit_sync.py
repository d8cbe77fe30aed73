"""Finance sync on the sandbox: an outage, failing hourly runs, a backfill, exactly-once uploads.

Each test loads its own data set (``reseed``): two days with more bills stuck at random than the
standard set, and a finance outage (remote_down on finance_upload) on the first day; the
standard data set is restored after the module. The simulator's faults are cleared after each
test.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pendulum
import psycopg
import pytest
from psycopg.rows import dict_row

from sandbox.finance import state
from sandbox.generator.config import AnomalyRates, GeneratorConfig
from tests.conftest import REPO, TODAY

pytestmark = [pytest.mark.integration]

TZ = "Asia/Shanghai"
DAG_ID = "ebill_finance_sync"
BAD_DATA_RULES = ("code_format", "number_format", "check_code_format")  # finance refuses these (E2001)


def transit_config() -> GeneratorConfig:
    return GeneratorConfig(
        seed=4404,
        start=TODAY - dt.timedelta(days=3),
        days=2,
        bills_per_day=1500,
        today=TODAY,
        history_years=0,
        interface_incident_days=1,
        rates=AnomalyRates(stuck_before_supervision=0.01, stuck_before_archive=0.01),
    )


# --- helpers -----------------------------------------------------------------------------------------
def _ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def outage_hours(manifest: dict) -> list[dt.datetime]:
    """Starts of the hours around the generated finance outage: one before it, then until it ends."""
    outage = next(i for i in manifest["interface"] if i["kind"] == "remote_down")
    first = _ts(outage["start"]).replace(minute=0, second=0) - dt.timedelta(hours=1)
    end = _ts(outage["end"])
    hours = []
    hour = first
    while hour < end:
        hours.append(hour)
        hour += dt.timedelta(hours=1)
    return hours


def in_window(entries: list[dict], start: dt.datetime, end: dt.datetime) -> list[dict]:
    """Transit entries issued in the window, one per bill (a bill picked as stuck before archive
    inside an outage window is listed twice by the generator; it needs supervision first)."""
    chosen: dict[int, dict] = {}
    for e in entries:
        if start <= _ts(e["ivc_date_time"]) < end and (
            e["bill_id"] not in chosen or e["kind"] == "before_supervision"
        ):
            chosen[e["bill_id"]] = e
    return list(chosen.values())


def bad_data_keys(manifest: dict) -> set[tuple[str, str]]:
    return {(e["bill_batch_code"], e["bill_no"]) for e in manifest["spec"] if e["rule"] in BAD_DATA_RULES}


def ops_rows(sandbox, sql: str, params=None) -> list[dict]:
    with psycopg.connect(sandbox.dsn("ebops", "ebops_rw"), row_factory=dict_row) as conn:
        return conn.execute(sql, params or {}).fetchall()


def platform_rows(sandbox, bill_ids: list[int]) -> dict[int, dict]:
    with psycopg.connect(sandbox.admin_dsn("bill"), row_factory=dict_row) as conn:
        rows = conn.execute(
            "SELECT bill_id, upload_time, supervise_time, archive_time FROM ebill.bill WHERE bill_id = ANY(%s)",
            (bill_ids,),
        ).fetchall()
    return {r["bill_id"]: r for r in rows}


def hour_end(hour: dt.datetime) -> pendulum.DateTime:
    end = hour + dt.timedelta(hours=1)
    return pendulum.datetime(end.year, end.month, end.day, end.hour, tz=TZ)


def day_totals_balance(sandbox, days: list[dt.date]) -> dict[str, tuple]:
    """Platform (supervised) vs finance per issue date, computed here by SQL, not by the package."""
    out = {}
    with (
        psycopg.connect(sandbox.admin_dsn("bill")) as bill,
        psycopg.connect(sandbox.dsn("finance", "finsim")) as fin,
    ):
        for day in days:
            p = bill.execute(
                "SELECT count(*), coalesce(sum(direction * total_amt), 0), count(archive_time) FROM ebill.bill "
                "WHERE ivc_date_time >= %s AND ivc_date_time < %s AND supervise_time IS NOT NULL",
                (day, day + dt.timedelta(days=1)),
            ).fetchone()
            f = fin.execute(
                "SELECT count(*), coalesce(sum(direction * total_amt), 0), count(archive_time) FROM finsim.bill "
                "WHERE ivc_date = %s",
                (day,),
            ).fetchone()
            out[day.isoformat()] = (tuple(p), tuple(f))
    return out


# --- fixtures ------------------------------------------------------------------------------------------
@pytest.fixture
def fresh(reseed, sandbox):
    """A freshly loaded transit data set, no faults, an empty mailbox; faults cleared afterwards."""
    from sandbox import smtp_sink

    state.clear_faults(sandbox)
    manifest = reseed(transit_config())
    smtp_sink.clear(sandbox)
    yield manifest
    state.clear_faults(sandbox)


@pytest.fixture
def fast_config(tmp_path, monkeypatch):
    """The project's settings plus a short in-flight grace, so a test need not wait two minutes."""
    import yaml

    from ebill_ops.config import config_path

    data = yaml.safe_load(config_path().read_text(encoding="utf-8")) or {}
    data["transit"] = {**(data.get("transit") or {}), "inflight_grace_seconds": 2}
    path = tmp_path / "ebill_ops.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("EBILL_OPS_CONFIG", str(path))
    return path


@pytest.fixture
def sync_dag(dagbag):
    """The DAG with instant retries for the test (its policy values are restored afterwards)."""
    dag = dagbag.get_dag(DAG_ID)
    saved = {t.task_id: t.retry_delay for t in dag.tasks}
    for t in dag.tasks:
        t.retry_delay = dt.timedelta(0)
    yield dag
    for t in dag.tasks:
        t.retry_delay = saved[t.task_id]


# --- the checks shared by both end-to-end tests --------------------------------------------------------
def assert_repaired_exactly_once(sandbox, manifest: dict, start: dt.datetime, end: dt.datetime) -> dict:
    stuck = in_window(manifest["transit"], start, end)
    assert stuck, "the data set has no stuck bill in the window"
    bad = bad_data_keys(manifest)
    good = [e for e in stuck if (e["bill_batch_code"], e["bill_no"]) not in bad]
    refused = [e for e in stuck if (e["bill_batch_code"], e["bill_no"]) in bad]
    assert any(e["cause"] == "outage" for e in good), "no outage-caused bill in the window"

    # Every stuck bill finance accepts is supervised and archived, on the platform too.
    on_platform = platform_rows(sandbox, [e["bill_id"] for e in stuck])
    for e in good:
        row = on_platform[e["bill_id"]]
        assert row["supervise_time"] and row["archive_time"] and row["upload_time"], e
    for e in refused:
        assert on_platform[e["bill_id"]]["supervise_time"] is None, e

    # Finance received each bill exactly once for supervision.
    sent = [e for e in good if e["kind"] == "before_supervision"]
    counts = state.upload_counts(sandbox, [(e["bill_batch_code"], e["bill_no"]) for e in sent])
    assert set(counts.values()) == {1}, {k: v for k, v in counts.items() if v != 1}
    held = state.bills(sandbox, [(e["bill_batch_code"], e["bill_no"]) for e in good])
    assert all(h["duplicate_count"] == 0 and h["archive_time"] is not None for h in held.values())
    assert len(held) == len(good)

    # The ledger explains every attempt: none left in flight, and each receipt at finance is one
    # ledger upload attempt with the matching outcome.
    attempts = ops_rows(
        sandbox,
        "SELECT a.bill_id, a.action, a.outcome, a.result_code, b.bill_batch_code, b.bill_no, b.state "
        "FROM ebops.transit_attempt a JOIN ebops.transit_bill b USING (bill_id) "
        "WHERE b.ivc_date_time >= %(s)s AND b.ivc_date_time < %(e)s",
        {"s": start, "e": end},
    )
    assert attempts and all(a["outcome"] is not None for a in attempts), "an attempt is still in flight"
    received = Counter(
        (a["bill_batch_code"], a["bill_no"])
        for a in attempts
        if a["action"] == "upload" and a["outcome"] in ("supervised", "duplicate", "confirmed", "rejected")
    )
    events = state.upload_events(sandbox, [(e["bill_batch_code"], e["bill_no"]) for e in stuck])
    assert received == Counter({k: len(v) for k, v in events.items() if v})
    ledger = {
        r["bill_id"]: r
        for r in ops_rows(
            sandbox,
            "SELECT bill_id, state, rejections, last_result FROM ebops.transit_bill "
            "WHERE ivc_date_time >= %(s)s AND ivc_date_time < %(e)s",
            {"s": start, "e": end},
        )
    }
    assert {e["bill_id"] for e in stuck} <= set(ledger)
    assert all(ledger[e["bill_id"]]["state"] == "resolved" for e in good)
    for e in refused:  # recorded with finance's code, not retried within one run
        assert ledger[e["bill_id"]]["state"] in ("rejected", "gave_up")
        assert ledger[e["bill_id"]]["last_result"] == "E2001"

    # The days balance with finance.
    days = sorted({_ts(e["ivc_date_time"]).date() for e in stuck})
    balance = day_totals_balance(sandbox, days)
    assert all(p == f for p, f in balance.values()), balance
    return {"good": len(good), "refused": len(refused), "attempts": len(attempts)}


def run_outage(run_dag, sync_dag, sandbox, hours: list[dt.datetime]) -> None:
    """Finance down: every hourly run fails at check_finance after its retries, and mails."""
    from sandbox import smtp_sink

    state.start_outage(sandbox, dt.timedelta(hours=2))
    for hour in hours:
        dagrun, xcom = run_dag(DAG_ID, hour_end(hour))
        assert dagrun.state == "failed"
        tis = {ti.task_id: ti for ti in dagrun.get_task_instances()}
        assert tis["find_stuck"].state == "success"
        assert tis["check_finance"].state == "failed"
        assert tis["check_finance"].try_number == sync_dag.get_task("check_finance").retries + 1
        assert tis["resync"].state == "upstream_failed"
        assert xcom("find_stuck")["found"] >= 0
    # The failure mail says what is wrong (one per ongoing failure: the alerts module does not
    # repeat it every hour of the outage).
    mails = smtp_sink.wait_for(sandbox, lambda m: "check_finance" in m["Subject"], timeout=30)
    assert "财政平台不可达" in mails[0]["Subject"] and "FAILED" in mails[0]["Subject"]
    assert len(mails) <= len(hours)
    # Nothing was sent while finance was down: no upload request reached it.
    assert state.stats(sandbox)["requests"]["by_service"].get("uploadBill", 0) == 0
    state.end_outage(sandbox)


def backfill(run_dag, hours: list[dt.datetime]) -> list[dict]:
    summaries = []
    for hour in hours:
        dagrun, xcom = run_dag(DAG_ID, hour_end(hour))
        assert dagrun.state == "success", [(t.task_id, t.state) for t in dagrun.get_task_instances()]
        summaries.append(xcom("finish"))
    return summaries


# --- the tests -------------------------------------------------------------------------------------------
@pytest.mark.e2e
def test_outage_then_backfill_repairs_every_bill_exactly_once(run_dag, sync_dag, sandbox, fresh, fast_config):
    hours = outage_hours(fresh)
    start, end = hours[0], hours[-1] + dt.timedelta(hours=1)
    run_outage(run_dag, sync_dag, sandbox, hours)
    summaries = backfill(run_dag, hours)
    result = assert_repaired_exactly_once(sandbox, fresh, start, end)
    assert sum(s["uploaded"] for s in summaries) >= result["good"] - sum(
        1 for e in in_window(fresh["transit"], start, end) if e["kind"] == "before_archive"
    )
    assert all(s["balanced"] for s in summaries)
    # A second backfill finds nothing and sends nothing.
    uploads_before = state.stats(sandbox)["requests"]["by_service"].get("uploadBill", 0)
    again = backfill(run_dag, hours[:1])
    assert again[0]["found"] == 0 and again[0]["uploaded"] == 0
    assert state.stats(sandbox)["requests"]["by_service"].get("uploadBill", 0) == uploads_before


KILLED_WORKER = """
import datetime as dt, sys
from ebill_ops.intervals import Window
from ebill_ops.transit import run
from ebill_ops.transit.settings import TransitSettings

window = Window(dt.datetime.fromisoformat(sys.argv[1]), dt.datetime.fromisoformat(sys.argv[2]))
cfg = TransitSettings(batch_size=5, concurrency=2, query_before_upload=False, max_bills_per_second=0)
run.resync(window, run_id="killed-worker", cfg=cfg)
"""


def attempt_progress(sandbox) -> tuple[int, int]:
    row = ops_rows(
        sandbox,
        "SELECT count(*) FILTER (WHERE outcome IS NOT NULL) AS answered, count(*) FILTER (WHERE outcome IS NULL) "
        "AS in_flight FROM ebops.transit_attempt WHERE run_id = 'killed-worker' AND action = 'upload'",
    )[0]
    return row["answered"], row["in_flight"]


def kill_worker_mid_batch(sandbox, start: dt.datetime, end: dt.datetime) -> int:
    """Run the resync of the window in a real process and SIGKILL it once some batches are answered
    and others are in flight (seen in the ledger, not guessed from time). Returns the in-flight count."""
    state.set_faults(sandbox, added_latency_ms=600)  # slow requests: the kill lands mid-batch
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_WORKER, start.isoformat(), end.isoformat()],
        cwd=REPO,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            answered, in_flight = attempt_progress(sandbox)
            if answered >= 10 and in_flight >= 1:
                os.kill(proc.pid, signal.SIGKILL)
                break
            assert proc.poll() is None, "the worker finished before it could be killed"
            assert time.monotonic() < deadline, "the worker made no progress"
            time.sleep(0.05)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        state.set_faults(sandbox, added_latency_ms=0)
    assert proc.returncode == -signal.SIGKILL
    answered, in_flight = attempt_progress(sandbox)
    assert in_flight >= 1, "the kill left nothing in flight"
    return in_flight


def wait_out_grace(sandbox, grace_seconds: int) -> None:
    """The interrupted requests' grace period (a lease in the ledger) must be over before a run may
    ask finance about them; poll the ledger's clock condition rather than sleeping a guess."""
    from ebill_ops.transit.run import local_now

    newest = ops_rows(
        sandbox, "SELECT max(last_attempt_at) AS t FROM ebops.transit_bill WHERE state = 'sending'"
    )[0]["t"]
    deadline = time.monotonic() + grace_seconds + 30
    while newest is not None and local_now() < newest + dt.timedelta(seconds=grace_seconds + 1):
        assert time.monotonic() < deadline
        time.sleep(0.1)


@pytest.mark.e2e
def test_worker_killed_mid_batch_then_backfill_sends_no_bill_twice(
    run_dag, sync_dag, sandbox, fresh, fast_config
):
    hours = outage_hours(fresh)
    start, end = hours[0], hours[-1] + dt.timedelta(hours=1)
    run_outage(run_dag, sync_dag, sandbox, hours)
    in_flight = kill_worker_mid_batch(sandbox, start, end)
    wait_out_grace(sandbox, 2)
    backfill(run_dag, hours)
    assert_repaired_exactly_once(sandbox, fresh, start, end)
    # The killed worker's uploads were settled by asking finance: confirmed when its request had
    # arrived (not sent again), lost when it had not (sent once, later).
    settled = ops_rows(
        sandbox,
        "SELECT outcome, count(*) AS n FROM ebops.transit_attempt WHERE run_id = 'killed-worker' "
        "AND action = 'upload' GROUP BY outcome",
    )
    outcomes = {r["outcome"]: r["n"] for r in settled}
    assert None not in outcomes
    assert outcomes.get("confirmed", 0) + outcomes.get("lost", 0) == in_flight


# --- the ledger against finance's answers (plain functions, no Airflow) --------------------------------
def hour_window(entry: dict):
    from ebill_ops.intervals import Window

    start = _ts(entry["ivc_date_time"]).replace(minute=0, second=0)
    return Window(start, start + dt.timedelta(hours=1))


def test_a_refused_bill_spends_its_budget_and_one_alert_names_it(sandbox, fresh, smtp_down):
    from ebill_ops.transit import run
    from ebill_ops.transit.settings import TransitSettings
    from sandbox import smtp_sink

    entry = next(e for e in fresh["transit"] if e["kind"] == "before_supervision" and e["cause"] == "random")
    window = hour_window(entry)
    key = (entry["bill_batch_code"], entry["bill_no"])
    with psycopg.connect(sandbox.admin_dsn("bill")) as conn:
        original = conn.execute(
            "SELECT check_code FROM ebill.bill WHERE bill_id = %s", (entry["bill_id"],)
        ).fetchone()[0]
        conn.execute("UPDATE ebill.bill SET check_code = 'AB-12' WHERE bill_id = %s", (entry["bill_id"],))
    cfg = TransitSettings(retry_budget=3, retry_interval_minutes=0)
    for attempt in range(4):  # the 4th run must not send it again
        run.find_stuck(window, run_id=f"budget-{attempt}", cfg=cfg)
        run.resync(window, run_id=f"budget-{attempt}", cfg=cfg)
    row = ops_rows(
        sandbox, "SELECT * FROM ebops.transit_bill WHERE bill_id = %(b)s", {"b": entry["bill_id"]}
    )[0]
    assert (row["state"], row["rejections"], row["last_result"]) == ("gave_up", 3, "E2001")
    assert state.upload_events(sandbox, [key])[key] == ["invalid"] * 3  # three tries reached finance, no more

    def finish():
        return run.finish(
            window,
            run_id="budget",
            started_at=window.start,
            found={"found": 1},
            synced={},
            applied=None,
            verified=None,
            cfg=cfg,
        )

    with smtp_down(), pytest.raises(OSError):  # the mail fails: the bill is not marked as named ...
        finish()
    assert finish()["gave_up_named"] == [f"{key[0]}-{key[1]}"]  # ... so the retry names it
    mail = smtp_sink.wait_for(sandbox, lambda m: "重试用尽" in m["Subject"])[0]
    body = mail.get_body(preferencelist=("html",)).get_content()
    assert key[1] in body and entry["bus_no"] in body and "E2001" in body and "What to do" in body
    assert finish()["gave_up_named"] == []  # named once, not on every run
    assert len(smtp_sink.wait_for(sandbox, lambda m: "重试用尽" in m["Subject"])) == 1

    # Someone fixes the bill: the next run sees the change, gives it a fresh budget, sends it once.
    with psycopg.connect(sandbox.admin_dsn("bill")) as conn:
        conn.execute("UPDATE ebill.bill SET check_code = %s WHERE bill_id = %s", (original, entry["bill_id"]))
    run.find_stuck(window, run_id="fixed", cfg=cfg)
    run.resync(window, run_id="fixed", cfg=cfg)
    run.record_on_platform("fixed", cfg=cfg)
    assert state.upload_counts(sandbox, [key])[key] == 1
    assert platform_rows(sandbox, [entry["bill_id"]])[entry["bill_id"]]["archive_time"] is not None


def test_finance_busy_mid_run_then_each_bill_is_sent_once(sandbox, fresh):
    from ebill_ops.finance.client import FinanceError
    from ebill_ops.transit import run
    from ebill_ops.transit.settings import TransitSettings

    hours = outage_hours(fresh)
    start, end = hours[0], hours[-1] + dt.timedelta(hours=1)
    from ebill_ops.intervals import Window

    window = Window(start, end)
    run.find_stuck(window, run_id="busy-find")
    state.set_faults(sandbox, error_rate=1.0, error_code="E0500")
    cfg = TransitSettings(query_before_upload=False, batch_size=20, inflight_grace_seconds=600)
    with pytest.raises(FinanceError) as refused:
        run.resync(window, run_id="busy", cfg=cfg)
    assert refused.value.retryable  # Airflow retries the task
    in_flight = ops_rows(sandbox, "SELECT count(*) AS n FROM ebops.transit_bill WHERE state = 'sending'")[0][
        "n"
    ]
    assert in_flight > 0
    state.clear_faults(sandbox)
    # Within the grace period nobody asks finance yet (the retry comes later) ...
    with pytest.raises(run.InFlightWithinGrace):
        run.resync(window, run_id="busy-retry-early", cfg=cfg)
    # ... after it, finance's status settles them: the busy answer processed nothing, so "lost".
    run.resync(window, run_id="busy-retry", cfg=cfg.model_copy(update={"inflight_grace_seconds": 0}))
    outcomes = ops_rows(
        sandbox,
        "SELECT outcome, count(*) AS n FROM ebops.transit_attempt WHERE run_id = 'busy' AND action = 'upload' "
        "GROUP BY outcome",
    )
    assert {r["outcome"]: r["n"] for r in outcomes} == {"lost": in_flight}
    sent = [e for e in in_window(fresh["transit"], start, end) if e["kind"] == "before_supervision"]
    counts = state.upload_counts(sandbox, [(e["bill_batch_code"], e["bill_no"]) for e in sent])
    assert set(counts.values()) == {1}


def test_dry_run_writes_nothing(sandbox, fresh):
    from ebill_ops.intervals import Window
    from ebill_ops.transit import run

    hours = outage_hours(fresh)
    summary = run.find_stuck(Window(hours[0], hours[-1] + dt.timedelta(hours=1)), run_id="dry", dry_run=True)
    assert summary["found"] > 0
    assert ops_rows(sandbox, "SELECT count(*) AS n FROM ebops.transit_bill")[0]["n"] == 0


def test_the_dag_protects_the_databases_and_finance_with_pools(dagbag):
    dag = dagbag.get_dag(DAG_ID)
    pools = json.loads((REPO / "docker" / "pools.json").read_text())
    by_task = {t.task_id: t.pool for t in dag.tasks}
    assert by_task["find_stuck"] == by_task["record_on_platform"] == by_task["verify"] == "ebill_db"
    assert by_task["check_finance"] == by_task["resync"] == "finance_gateway"
    assert {"ebill_db", "finance_gateway"} <= set(pools)
    assert dag.max_active_runs == 1 and "writes-production" in dag.tags
    assert dag.get_task("check_finance").retries >= 2  # fail fast, but after retries
    assert [t.task_id for t in dag.get_task("wait_for_lag").downstream_list] == ["find_stuck"]
    assert set(dag.params.keys()) >= {"start", "end", "dry_run", "reset_budget"}
    interval = dag.timetable.infer_manual_data_interval(run_after=pendulum.datetime(2026, 11, 29, 11, tz=TZ))
    assert interval.end - interval.start == dt.timedelta(hours=1)  # hourly and data-interval bound


def test_the_reachability_check_uses_its_own_short_timeout(sandbox):
    from ebill_ops.finance.hook import FinanceGatewayHook
    from ebill_ops.transit import run

    with FinanceGatewayHook().get_client() as default, FinanceGatewayHook().get_client(timeout=2.5) as short:
        assert default.timeout == 60.0 and short.timeout == 2.5  # the sandbox connection says 60 s
    assert run.check_finance(run.settings().model_copy(update={"ping_timeout_seconds": 3.0}))["reachable"]
    # A finance platform slower than the check's timeout (but well within the connection's 60 s)
    # is reported unreachable: the check really uses its own short timeout.
    from ebill_ops.finance.client import FinanceUnavailable

    state.set_faults(sandbox, added_latency_ms=5000)
    try:
        with pytest.raises(FinanceUnavailable, match="timed out"):
            run.check_finance(run.settings().model_copy(update={"ping_timeout_seconds": 1.0}))
    finally:
        state.clear_faults(sandbox)
