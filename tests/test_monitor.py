"""Interface monitor: the pure rules, and the DAG against a generated hospital with known incidents."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import psycopg
import pytest
from psycopg.rows import dict_row

from ebill_ops.monitor.assess import SlotStats, judge, window_of
from ebill_ops.monitor.settings import MonitorSettings

SETTINGS = MonitorSettings()


def slot(
    interface="his_issue", n=0, calls=0, failures=0, mean=200.0, p95=400.0, places=None, codes=None, **kw
):
    s = SlotStats(
        interface, n, calls=calls, failures=failures, mean_ms=mean, p95_ms=p95, max_ms=p95 and int(p95), **kw
    )
    s.by_place = {k: list(v) for k, v in (places or {}).items()}
    s.codes = Counter(codes or {})
    return s


def verdict(s: SlotStats, *earlier: SlotStats, places=None):
    return judge(s, window_of([*earlier, s]), SETTINGS, places)


# --- the rules, without a database -----------------------------------------------------------------
def test_a_single_random_error_is_not_an_incident():
    s = slot(calls=40, failures=1, places={"MZ01": (10, 1), "MZ02": (30, 0)}, codes={"E9001": 1})
    v = verdict(s)
    assert v.status == "ok" and v.causes == ()


def test_two_random_errors_of_a_busy_point_are_not_local():
    s = slot(calls=60, failures=2, places={"MZ01": (12, 2), "MZ02": (48, 0)}, codes={"E9001": 2})
    assert verdict(s).status == "ok"


def test_all_calls_failing_with_connection_errors_is_remote_down():
    s = slot(
        "finance_upload",
        calls=13,
        failures=13,
        places={"MZ01": (7, 7), "WX01": (6, 6)},
        codes={"CONN_REFUSED": 13},
    )
    v = verdict(s)
    assert v.causes == ("remote_down",) and v.severity == "critical"
    assert "connection" in v.detail


def test_unknown_transport_codes_count_as_connection_errors():
    s = slot("signature", calls=20, failures=20, places={"MZ01": (20, 20)}, codes={"SocketTimeout": 20})
    assert verdict(s).cause == "remote_down"


def test_many_points_failing_with_vendor_codes_is_remote_errors():
    s = slot(calls=30, failures=9, places={"MZ01": (15, 5), "MZ02": (15, 4)}, codes={"E0500": 9})
    v = verdict(s)
    assert v.cause == "remote_errors" and v.severity == "warning" and "E0500" in v.detail


def test_errors_from_one_point_while_others_work_is_local_and_names_the_host():
    s = slot(calls=16, failures=2, places={"MZ02": (4, 2), "MZ01": (12, 0)}, codes={"E1005": 2})
    v = verdict(s, places={"MZ02": {"host_name": "his-mz-02"}})
    assert v.cause == "local" and "MZ02" in v.detail and "his-mz-02" in v.detail
    assert v.top_place == "MZ02"


def test_failures_are_judged_over_the_sustained_window():
    """One error per slot from the same point: only the window of both slots shows the pattern."""
    first = slot(n=0, calls=10, failures=1, places={"MZ02": (2, 1), "MZ01": (8, 0)}, codes={"E1005": 1})
    second = slot(n=1, calls=10, failures=1, places={"MZ02": (2, 1), "MZ01": (8, 0)}, codes={"E1005": 1})
    assert verdict(first).status == "ok"
    assert verdict(second, first).cause == "local"


def test_slow_but_succeeding_is_degraded_only_with_enough_calls():
    slow = slot("signature", calls=20, failures=0, mean=2200, p95=2500)
    assert verdict(slow).cause == "degraded"
    few = slot("signature", calls=2, failures=0, mean=2200, p95=2500)
    assert verdict(few).status == "ok"


def test_delivery_late_share_over_its_threshold():
    late = slot("delivery", calls=8, due=6, late=6, delay_mean_s=9000.0, delay_p95_s=12000.0)
    assert verdict(late).cause == "delivery_delay"
    one = slot("delivery", calls=50, due=50, late=1)
    assert verdict(one).status == "ok"


def test_an_empty_slot_is_idle():
    assert verdict(slot(calls=0, mean=None, p95=None)).status == "idle"


def test_thresholds_per_interface_keep_defaults_for_the_others():
    cfg = MonitorSettings(interfaces={"signature": {"mean_ms": 100, "p95_ms": 200}})
    assert cfg.thresholds("signature").p95_ms == 200
    assert cfg.thresholds("finance_upload").p95_ms == SETTINGS.thresholds("finance_upload").p95_ms
    assert cfg.thresholds("unknown").p95_ms == cfg.default_thresholds.p95_ms


# --- against the sandbox ----------------------------------------------------------------------------
def monitor_config():
    """A fixed data set (dates too), so the ground truth is the same on every day the tests run."""
    from sandbox.generator.config import GeneratorConfig

    start = dt.date(2026, 8, 3)
    return GeneratorConfig(
        seed=7,
        start=start,
        days=5,
        bills_per_day=1500,
        today=start + dt.timedelta(days=5),
        history_years=0,
        interface_incident_days=2,
    )


def explains(row: dict, incident: dict) -> bool:
    """A breach row belongs to an incident: same interface and cause, and its judged time overlaps."""
    if incident["interface"] != row["interface"] or incident["kind"] != row["cause"]:
        return False
    length = dt.timedelta(minutes=SETTINGS.slot_minutes)
    start, end = dt.datetime.fromisoformat(incident["start"]), dt.datetime.fromisoformat(incident["end"])
    low, high = row["slot_start"], row["slot_start"] + length
    if row["cause"] in ("local", "remote_down", "remote_errors"):
        low -= SETTINGS.lookback_slots * length  # failures are judged with the look-back slots
    if row["cause"] == "delivery_delay":  # judged when the delivery deadline falls
        shift = dt.timedelta(minutes=SETTINGS.delivery.late_after_minutes)
        start, end = start + shift, end + shift
    return low < end and start < high


@pytest.fixture(scope="module")
def monitored(reseed, sandbox, forget_incidents):
    manifest = reseed(monitor_config())
    forget_incidents("interface:")
    return manifest


@pytest.mark.integration
@pytest.mark.e2e
def test_monitor_flags_the_injected_incidents_and_nothing_else(run_dag, sandbox, monitored):
    from sandbox import smtp_sink

    smtp_sink.clear(sandbox)
    g = monitored["generator"]
    first = dt.date.fromisoformat(g["start"])
    last = first + dt.timedelta(days=g["days"])
    dagrun, xcom = run_dag("ebill_interface_monitor", last, start=first.isoformat(), end=last.isoformat())
    assert dagrun.state == "success"
    summary = xcom("alert")
    assert summary["slots"] == g["days"] * 96

    with psycopg.connect(sandbox.dsn("ebops", "ebops_rw"), row_factory=dict_row) as conn:
        rows = conn.execute(
            "SELECT interface, slot_start, status, cause, severity, calls, detail FROM ebops.interface_health "
            "WHERE slot_start >= %s AND slot_start < %s ORDER BY slot_start",
            (first, last),
        ).fetchall()
    assert len(rows) == g["days"] * 96 * 4  # one row per interface and slot
    breaches = [r for r in rows if r["status"] == "breach"]
    incidents = monitored["interface"]
    assert len(incidents) == 8
    unexplained = [r for r in breaches if not any(explains(r, i) for i in incidents)]
    assert unexplained == [], unexplained  # the random E9001 errors never alert
    for incident in incidents:  # each injected burst or spike is flagged, with its cause
        assert any(explains(r, incident) for r in breaches), incident
    assert all(r["severity"] == "critical" for r in breaches if r["cause"] == "remote_down")

    # One mail when each incident opens, one when it ends; nothing in between.
    mails = summary["mails"]
    assert Counter(m["decision"] for m in mails) == {"open": 8, "recover": 8}
    for incident in incidents:
        opened = [
            m
            for m in mails
            if m["decision"] == "open"
            and m["interface"] == incident["interface"]
            and m["cause"] == incident["kind"]
            and dt.datetime.fromisoformat(m["slot_start"]).date()
            == dt.date.fromisoformat(incident["start"][:10])
        ]
        assert len(opened) == 1, (incident, mails)
    received = smtp_sink.wait_for(
        sandbox, lambda m: "ebill_interface_monitor" in m["Subject"], count=16, timeout=30
    )
    subjects = [str(m["Subject"]) for m in received]
    assert sum("RECOVERED" in s for s in subjects) == 8
    assert any("finance_upload" in s and "CRITICAL" in s and "network / remote down" in s for s in subjects)
    local = next(m for m in received if "本地故障" in str(m["Subject"]))
    body = local.get_body(preferencelist=("html",)).get_content()
    place = next(i["place_code"] for i in incidents if i["kind"] == "local")
    assert place in body and "What to do" in body

    # A re-run of the same window neither reopens nor re-closes anything: no mail twice.
    smtp_sink.clear(sandbox)
    dagrun, xcom = run_dag("ebill_interface_monitor", last, start=first.isoformat(), end=last.isoformat())
    assert dagrun.state == "success" and xcom("alert")["mails"] == []
    assert smtp_sink.messages(sandbox) == []


@pytest.mark.integration
def test_fifteen_minute_runs_alert_once_per_incident(sandbox, monitored, forget_incidents):
    """Consecutive 15-minute windows through the finance outage: one open mail, one recovery."""
    from ebill_ops.intervals import Window
    from ebill_ops.monitor import run

    forget_incidents("interface:finance_upload")
    outage = next(i for i in monitored["interface"] if i["kind"] == "remote_down")
    t = dt.datetime.fromisoformat(outage["start"]) - dt.timedelta(minutes=30)
    end = dt.datetime.fromisoformat(outage["end"]) + dt.timedelta(minutes=45)
    decisions, mails = [], []
    while t < end:
        window = Window(t, t + dt.timedelta(minutes=15))
        run.measure(window)
        mails += [m for m in run.alert(window)["mails"] if m["interface"] == "finance_upload"]
        t += dt.timedelta(minutes=15)
    decisions = [(m["decision"], m["slot_start"]) for m in mails]
    assert [d for d, _ in decisions] == ["open", "recover"], decisions
    assert decisions[0][1] == outage["start"]
    # The recovery mail names when the outage began (the backfill window), not a slot later.
    assert mails[1]["since"] == outage["start"], mails
    first = dt.datetime.fromisoformat(outage["start"])
    summary = run.measure(Window(first, first + dt.timedelta(minutes=15)))
    assert summary["by_cause"] == {"finance_upload:remote_down": 1}


@pytest.mark.integration
def test_an_alert_mail_that_fails_is_sent_by_the_retry(sandbox, monitored, forget_incidents, smtp_down):
    from ebill_ops.intervals import Window
    from ebill_ops.monitor import run
    from sandbox import smtp_sink

    forget_incidents("interface:finance_upload")
    outage = next(i for i in monitored["interface"] if i["kind"] == "remote_down")
    first = dt.datetime.fromisoformat(outage["start"])
    window = Window(first, first + dt.timedelta(minutes=15))
    run.measure(window)
    smtp_sink.clear(sandbox)
    with smtp_down(), pytest.raises(OSError):
        run.alert(window)
    retried = [m for m in run.alert(window)["mails"] if m["interface"] == "finance_upload"]
    assert [m["decision"] for m in retried] == ["open"]  # not lost with the failed mail
    assert smtp_sink.wait_for(sandbox, lambda m: "finance_upload" in m["Subject"], timeout=30)
    assert [m for m in run.alert(window)["mails"] if m["interface"] == "finance_upload"] == []  # and once


def test_the_dag_runs_every_fifteen_minutes_on_its_data_interval(dagbag):
    import pendulum

    dag = dagbag.get_dag("ebill_interface_monitor")
    interval = dag.timetable.infer_manual_data_interval(
        run_after=pendulum.datetime(2026, 11, 29, 11, 15, tz="Asia/Shanghai")
    )
    assert interval.end - interval.start == dt.timedelta(minutes=15)
    assert dag.get_task("measure").pool == "ebill_db" and "read-only" in dag.tags
    assert [t.task_id for t in dag.get_task("settle").downstream_list] == ["measure"]


# --- the Oracle twins of the slot queries (no Oracle in the sandbox: their shape is checked) --------
@pytest.mark.parametrize("name", ["call_stats", "call_breakdown", "delivery_due"])
def test_oracle_slot_queries_group_by_columns_and_count_whole_seconds(name):
    """ORA-00979: GROUP BY must not repeat an expression with bind variables; and a slot counted from
    a DATE fraction (x/96 day x 86400) may floor to 899 s, putting a call in the slot before."""
    import sqlglot
    from sqlglot import exp

    from ebill_ops.sql import load_sql

    tree = sqlglot.parse_one(load_sql(f"monitor/{name}", "oracle"), read="oracle")
    groups = [g for select in tree.find_all(exp.Select) if (g := select.args.get("group"))]
    assert groups, "the query groups by slot"
    for group in groups:
        for item in group.expressions:
            assert not list(item.find_all(exp.Placeholder)), (
                f"GROUP BY repeats a bind expression: {item.sql()}"
            )
    floors = list(tree.find_all(exp.Floor))
    assert floors, "the slot number is a FLOOR of seconds"
    for floor in floors:  # seconds from an exact interval (EXTRACT) or rounded back from a DATE fraction
        assert floor.find(exp.Extract) or floor.find(exp.Round), floor.sql(dialect="oracle")
