"""Performance advisor: the rules without services; on the sandbox, an expensive query in the top
SQL, stale statistics, bloat and index hints on scratch tables, an unreadable view as a finding,
the slow windows of the injected incidents; the DAG end to end (report, mail once, re-run)."""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import replace
from pathlib import Path

import pendulum
import psycopg
import pytest

from ebill_ops import db
from ebill_ops.intervals import Window
from ebill_ops.monitor.settings import MonitorSettings
from ebill_ops.perf import interfaces, report, tables, topsql
from ebill_ops.perf.settings import BloatSettings, IndexSettings, PerfSettings, StatsSettings, TopSqlSettings
from tests.conftest import TEST_START, TODAY
from tests.fakes import RecordingConnection

DAG_ID = "ebill_performance_advisor"
MONITOR = MonitorSettings()


# --- rules ------------------------------------------------------------------------------------
def test_sql_text_is_redacted_before_anyone_sees_it():
    text = "ALTER ROLE app PASSWORD 'S3cret!'  ; SELECT * FROM bill WHERE id_card_no = '440157197507157777'"
    redacted = topsql.redact_sql(text)
    assert "S3cret" not in redacted and "440157197507157777" not in redacted
    assert "PASSWORD ***" in redacted and "id_card_no = '?'" in redacted
    assert topsql.redact_sql("ALTER USER x IDENTIFIED BY tiger") == "ALTER USER x IDENTIFIED BY ***"
    # A quoted password with a space: no tail of it, and no later literal, may show.
    spaced = topsql.redact_sql("ALTER ROLE app PASSWORD 'open sesame' ; SELECT 1 FROM t WHERE payer = '张三'")
    assert "sesame" not in spaced and "张三" not in spaced and "PASSWORD ***" in spaced, spaced
    assert topsql.redact_sql("select 1\n\n  from dual where n = 1234567") == "select 1 from dual where n = ?"
    assert len(topsql.redact_sql("x" * 5000)) == 1000


def _stmt(sql_id, calls, total_ms, **extra):
    return {"sql_id": sql_id, "calls": calls, "total_ms": total_ms, "sql_text": f"select {sql_id}", **extra}


def test_top_sql_is_this_weeks_difference_to_last_weeks_snapshot():
    previous = {
        s["sql_id"]: s
        for s in topsql.snapshot_rows([_stmt("a", 100, 1000.0), _stmt("b", 10, 50.0), _stmt("c", 5, 9000.0)])
    }
    current = [_stmt("a", 130, 1600.0), _stmt("b", 10, 50.0), _stmt("c", 2, 400.0), _stmt("d", 1, 70.0)]
    week = {s.sql_id: s for s in topsql.weekly(current, previous)}
    assert set(week) == {"a", "c", "d"}  # b did not run this week
    assert (week["a"].calls, week["a"].total_ms, week["a"].basis) == (30, 600.0, "week")
    assert week["c"].basis == "cumulative" and week["c"].total_ms == 400.0  # counters went down: a reset
    assert week["d"].basis == "cumulative"
    assert [s.sql_id for s in topsql.weekly(current, previous)] == ["a", "c", "d"]


def test_top_sql_warns_on_share_or_mean_and_reads_advice_from_the_figures():
    settings = TopSqlSettings(top_n=3, warn_share_pct=50, warn_mean_ms=100)
    statements = topsql.weekly(
        [
            _stmt("heavy", 10, 9000.0, logical_reads=5_000_000, rows_processed=10, temp_blocks=0),
            _stmt("spill", 2, 400.0, temp_blocks=5000),
            _stmt("quick", 1000, 100.0),
            _stmt("tail", 1, 1.0),
        ],
        {},
    )
    found = topsql.assess(statements, settings, "oracle", since="x")
    assert [f.target for f in found] == ["heavy", "spill", "quick"]  # top_n
    by_id = {f.target: f for f in found}
    assert by_id["heavy"].severity == "warning" and "index the filter columns" in by_id["heavy"].advice
    assert "DBMS_XPLAN.DISPLAY_CURSOR('heavy')" in by_id["heavy"].advice
    assert by_id["spill"].severity == "warning" and "spill to disk" in by_id["spill"].advice  # mean 200 ms
    assert by_id["quick"].severity == "info" and by_id["quick"].advice == ""
    assert by_id["heavy"].facts["share_pct"] == pytest.approx(94.7, abs=0.1)


def test_stale_statistics_rules_per_dialect():
    now = dt.datetime(2026, 12, 1, 6, 0)
    rows = [
        {
            "schema_name": "ebill",
            "table_name": "big",
            "num_rows": 100_000,
            "modified_rows": 20_000,
            "last_analyzed": now,
        },
        {
            "schema_name": "ebill",
            "table_name": "quiet",
            "num_rows": 100_000,
            "modified_rows": 5_000,
            "last_analyzed": now,
        },
        {
            "schema_name": "ebill",
            "table_name": "tiny",
            "num_rows": 10,
            "modified_rows": 500,
            "last_analyzed": now,
        },
        {
            "schema_name": "ebill",
            "table_name": "fresh",
            "num_rows": 3000,
            "modified_rows": 0,
            "last_analyzed": None,
        },
        {
            "schema_name": "ebill",
            "table_name": "bill",
            "num_rows": 0,
            "modified_rows": 0,
            "last_analyzed": now - dt.timedelta(days=30),
            "partitioned": True,
            "children_analyzed": now,
        },
    ]
    found = {f.target: f for f in tables.stale_stats(rows, StatsSettings(), "postgresql")}
    assert set(found) == {"ebill.big", "ebill.fresh", "ebill.bill"}
    assert found["ebill.big"].value == 20_000 and found["ebill.big"].advice.startswith("ANALYZE ebill.big;")
    assert "never analyzed" in found["ebill.fresh"].detail
    assert "never the parent" in found["ebill.bill"].advice
    oracle = tables.stale_stats(
        [
            {
                "schema_name": "EBILL",
                "table_name": "BILL",
                "partition_name": "BILL_Y2026",
                "num_rows": 9,
                "modified_rows": 1,
                "last_analyzed": now,
                "stale_flag": "YES",
                "locked": "ALL",
            },
            {
                "schema_name": "EBILL",
                "table_name": "BILL_CODE",
                "num_rows": 9,
                "modified_rows": 5,
                "last_analyzed": now,
                "stale_flag": "NO",
            },
        ],
        StatsSettings(),
        "oracle",
    )
    assert [f.target for f in oracle] == ["EBILL.BILL:BILL_Y2026"]
    assert "partname => 'BILL_Y2026'" in oracle[0].advice and "UNLOCK_TABLE_STATS" in oracle[0].advice


def test_bloat_unused_indexes_and_full_scans():
    mb = 1024 * 1024
    bloat = tables.bloat(
        [
            {
                "schema_name": "s",
                "table_name": "wasteful",
                "table_bytes": 100 * mb,
                "expected_bytes": 30 * mb,
                "num_rows": 1,
                "dead_rows": 0,
            },
            {
                "schema_name": "s",
                "table_name": "dead",
                "table_bytes": 100 * mb,
                "expected_bytes": 95 * mb,
                "num_rows": 70,
                "dead_rows": 30,
            },
            {
                "schema_name": "s",
                "table_name": "tidy",
                "table_bytes": 100 * mb,
                "expected_bytes": 95 * mb,
                "num_rows": 99,
                "dead_rows": 1,
            },
            {
                "schema_name": "s",
                "table_name": "small",
                "table_bytes": 1 * mb,
                "expected_bytes": 0,
                "num_rows": 1,
                "dead_rows": 0,
            },
        ],
        BloatSettings(),
        "postgresql",
    )
    assert [(f.target, f.severity) for f in bloat] == [("s.wasteful", "critical"), ("s.dead", "warning")]
    ora = tables.bloat(
        [
            {
                "schema_name": "S",
                "table_name": "T",
                "partition_name": "P1",
                "table_bytes": 100 * mb,
                "expected_bytes": 50 * mb,
            }
        ],
        BloatSettings(),
        "oracle",
    )
    assert "MOVE PARTITION P1 ONLINE UPDATE INDEXES" in ora[0].advice
    unused = tables.unused_indexes(
        [
            {
                "schema_name": "s",
                "table_name": "t",
                "index_name": "i_unused",
                "scans": 0,
                "index_bytes": 50 * mb,
                "is_unique": False,
            },
            {
                "schema_name": "s",
                "table_name": "t",
                "index_name": "t_pkey",
                "scans": 0,
                "index_bytes": 50 * mb,
                "is_unique": True,
            },
            {
                "schema_name": "s",
                "table_name": "t",
                "index_name": "i_used",
                "scans": 3,
                "index_bytes": 50 * mb,
                "is_unique": False,
            },
            {
                "schema_name": "s",
                "table_name": "t",
                "index_name": "i_small",
                "scans": 0,
                "index_bytes": mb,
                "is_unique": False,
            },
        ],
        IndexSettings(),
        "postgresql",
        since="2026-11-01",
    )
    assert [f.target for f in unused] == ["s.i_unused"] and "DROP INDEX CONCURRENTLY s.i_unused" in unused[
        0
    ].advice
    scans = tables.seq_scans(
        [
            {
                "schema_name": "s",
                "table_name": "whole",
                "seq_scan": 500,
                "seq_tup_read": 500 * 200_000,
                "num_rows": 200_000,
            },
            {
                "schema_name": "s",
                "table_name": "limited",
                "seq_scan": 500,
                "seq_tup_read": 500 * 10,
                "num_rows": 200_000,
            },
            {
                "schema_name": "s",
                "table_name": "small",
                "seq_scan": 500,
                "seq_tup_read": 500 * 100,
                "num_rows": 100,
            },
        ],
        IndexSettings(),
        "postgresql",
        since="x",
    )
    assert [f.target for f in scans] == ["s.whole"]


def test_slow_slots_merge_into_windows():
    window = Window(dt.datetime(2026, 11, 24), dt.datetime(2026, 12, 1))
    slot = {"interface": "signature", "calls": 20}
    rows = [
        {**slot, "slot_no": 50, "p95_ms": 80},
        {**slot, "slot_no": 51, "p95_ms": 2500},
        {**slot, "slot_no": 52, "p95_ms": 2700},
        {**slot, "slot_no": 53, "p95_ms": 2600},
        {**slot, "slot_no": 60, "p95_ms": 1800},
        {**slot, "slot_no": 61, "calls": 3, "p95_ms": 9000},  # too few calls to judge
        {"interface": "his_issue", "calls": 20, "slot_no": 51, "p95_ms": 2500},  # below its 3000 ms
    ]
    found = interfaces.slow_windows(rows, window, MONITOR, PerfSettings().interface)
    assert [(w.interface, w.start, w.end, w.slots, w.calls) for w in found] == [
        ("signature", dt.datetime(2026, 11, 24, 12, 45), dt.datetime(2026, 11, 24, 13, 30), 3, 60),
        ("signature", dt.datetime(2026, 11, 24, 15, 0), dt.datetime(2026, 11, 24, 15, 15), 1, 20),
    ]
    lines = interfaces.window_findings(found, {"signature": 110.0}, MONITOR, PerfSettings().interface)
    assert lines[0].target == "signature 2026-11-24 12:45–13:30" and "Signature server" in lines[0].advice


def test_week_of_a_scheduled_and_a_manual_run():
    from ebill_ops.perf import run

    tz = "Asia/Shanghai"
    scheduled = run.week_of(
        {}, pendulum.datetime(2026, 11, 23, 7, tz=tz), pendulum.datetime(2026, 11, 30, 7, tz=tz)
    )
    assert (scheduled.start, scheduled.end) == (dt.datetime(2026, 11, 23), dt.datetime(2026, 11, 30))
    manual = run.week_of({"start": "2026-11-02"}, None, None)
    assert (manual.start, manual.end) == (dt.datetime(2026, 11, 2), dt.datetime(2026, 11, 9))
    assert run.is_live(manual, dt.datetime(2026, 11, 10), PerfSettings())
    assert not run.is_live(manual, dt.datetime(2026, 12, 1), PerfSettings())


def test_the_report_fingerprint_ignores_moving_figures():
    rows = [
        {"source": "db", "category": "top_sql", "target": "a", "severity": "warning", "value": 1},
        {"source": "db", "category": "top_sql", "target": "b", "severity": "info", "value": 2},
    ]
    moved = [{**r, "value": r["value"] * 10} for r in rows]
    assert report.fingerprint(rows) == report.fingerprint(moved)
    assert report.fingerprint(rows) != report.fingerprint([{**rows[0], "severity": "critical"}, rows[1]])


def test_a_failed_query_on_oracle_restarts_the_read_only_transaction():
    # The rollback after a refused view ends Oracle's SET TRANSACTION READ ONLY: the next
    # checks must still run read-only.
    from ebill_ops.perf import database

    raw = RecordingConnection(fail_on="v$sqlstats")
    found, snapshot = database.top_sql(db.Db(raw, "oracle", read_only=True), PerfSettings(), {}, since="x")
    assert snapshot == [] and found[0].target == "top_sql" and "V_$SQLSTATS" in found[0].advice
    assert raw.statements[-2:] == ["ROLLBACK", "SET TRANSACTION READ ONLY"]


FACTS = json.dumps(
    dict.fromkeys(("calls", "total_ms", "mean_ms", "share_pct", "rows", "logical_reads", "disk_reads"), 1)
    | {"temp_blocks": 0, "basis": "week", "sql_text": "select perf_lob_probe"}
)


def test_oracle_clob_facts_are_read_while_the_connection_is_open():
    from ebill_ops.perf import store

    class Lob:  # python-oracledb returns CLOB columns as LOBs, readable only while connected
        def __init__(self, text):
            self.text = text

        def read(self):
            return self.text

    class Ops:
        def rows(self, name, params=None):
            assert name == "perf/findings_of_week"
            return [
                {
                    "source": "db",
                    "category": "top_sql",
                    "target": "a",
                    "severity": "warning",
                    "rank_no": 1,
                    "value": 1,
                    "unit": "ms",
                    "threshold": "",
                    "detail": "",
                    "advice": "",
                    "facts": Lob(FACTS),
                },
                {
                    "source": "db",
                    "category": "check",
                    "target": "top_sql",
                    "severity": "ok",
                    "rank_no": 0,
                    "value": 0,
                    "unit": "",
                    "threshold": "",
                    "detail": "",
                    "advice": "",
                    "facts": None,
                },
            ]

    rows = store.findings_of_week(Ops(), dt.date(2026, 11, 23))
    assert rows[0]["facts"] == FACTS and rows[1]["facts"] is None
    html = report.render(
        Window(dt.datetime(2026, 11, 23), dt.datetime(2026, 11, 30)),
        rows,
        generated_at=dt.datetime(2026, 11, 30, 7),
        run_id="r",
        live=True,
    )
    assert "select perf_lob_probe" in html


# --- on the sandbox ---------------------------------------------------------------------------
PROBE = (
    "SELECT count(*) AS perf_probe FROM ebill.bill a CROSS JOIN ebill.bill b "
    "WHERE a.bill_id %% 3 = 0 AND a.total_amt + b.total_amt > %(floor)s"
)


def _probe(sandbox) -> None:
    with psycopg.connect(sandbox.dsn("bill", "ebill_ro")) as conn:
        conn.execute(PROBE, {"floor": 1234.5}).fetchone()


def _poll(sandbox, sql: str, params: tuple, done, timeout: float = 20.0):
    """Statistics reach the views when a backend goes idle: poll with a deadline, no fixed sleep."""
    deadline = time.monotonic() + timeout
    while True:
        with psycopg.connect(sandbox.dsn("bill", "ebill_ro"), autocommit=True) as conn:
            row = conn.execute(sql, params).fetchone()
        if row is not None and done(row):
            return row
        if time.monotonic() > deadline:
            raise TimeoutError(f"statistics never showed {sql} {params}: {row}")
        time.sleep(0.2)


@pytest.fixture
def bill_db(sandbox, manifest):
    with db.connect("ebill_db", read_only=True, autocommit=True) as target:
        yield target


@pytest.mark.integration
def test_an_expensive_query_leads_the_top_sql_and_next_week_counts_only_new_calls(sandbox, bill_db):
    from ebill_ops.perf import database

    _probe(sandbox)
    # The sandbox's statements are cumulative across sessions (seeding, other tests): list enough of
    # them and judge by share so that a 5-million-pair join stands out on any machine.
    settings = PerfSettings(top_sql=TopSqlSettings(top_n=50, warn_share_pct=1.0))
    found, snapshot = database.check_database(bill_db, settings, previous={})
    probe = [f for f in found if f.category == "top_sql" and "perf_probe" in f.facts["sql_text"]]
    assert probe, [f.facts.get("sql_text", "")[:60] for f in found if f.category == "top_sql"]
    assert probe[0].severity == "warning"
    assert "EXPLAIN (ANALYZE, BUFFERS)" in probe[0].advice and probe[0].facts["basis"] == "cumulative"
    assert "$1" in probe[0].facts["sql_text"]  # normalised: no literal reaches the report

    # A week later: only what ran since the snapshot counts.
    _probe(sandbox)
    previous = {r["sql_id"]: r for r in snapshot}
    again, _ = database.check_database(bill_db, settings, previous=previous)
    listed = {f.target: f for f in again if f.category == "top_sql"}
    assert probe[0].target in listed, [
        (f.target, f.facts["calls"], f.facts["sql_text"][:50]) for f in listed.values()
    ]
    probe_again = listed[probe[0].target]
    assert probe_again.facts["basis"] == "week" and probe_again.facts["calls"] == 1
    assert probe_again.rank == 1  # since the snapshot only the advisor's own catalogue queries ran
    assert not [f for f in again if f.category == "top_sql" and "COPY" in f.facts["sql_text"]]


@pytest.mark.integration
def test_a_snapshot_read_before_a_statistics_reset_is_no_baseline(sandbox, bill_db):
    from ebill_ops.perf import database

    _probe(sandbox)
    settings = PerfSettings(top_sql=TopSqlSettings(top_n=200))
    _, snapshot = database.top_sql(bill_db, settings, {}, since="x")
    taken = dt.datetime(2026, 1, 5, 7, 0)
    previous = {r["sql_id"]: {**r, "taken_at": taken} for r in snapshot}
    # Read after the snapshot: last week's counters are a fair baseline.
    after, _ = database.top_sql(bill_db, settings, previous, since="x", reset_at=taken - dt.timedelta(days=1))
    assert {f.facts["basis"] for f in after if f.category == "top_sql"} == {"week"}
    # Reset after the snapshot: whatever the counters show now counts whole, never as a difference.
    wiped, _ = database.top_sql(bill_db, settings, previous, since="x", reset_at=taken + dt.timedelta(days=1))
    assert {f.facts["basis"] for f in wiped if f.category == "top_sql"} == {"cumulative"}
    check = next(f for f in wiped if f.category == "check" and f.target == "top_sql")
    assert "baseline: none" in check.detail


@pytest.fixture
def scratch_tables(sandbox, manifest):
    """Tables the bill platform's owner creates for the test, autovacuum off, dropped afterwards."""
    names = ("perf_probe_stale", "perf_probe_never", "perf_probe_bloat")
    with psycopg.connect(sandbox.dsn("bill", "ebill_owner"), autocommit=True) as conn:
        for name in names:
            conn.execute(f"DROP TABLE IF EXISTS ebill.{name}")
            conn.execute(
                f"CREATE TABLE ebill.{name} (id integer, pad text) WITH (autovacuum_enabled = false)"
            )
    yield names
    with psycopg.connect(sandbox.dsn("bill", "ebill_owner"), autocommit=True) as conn:
        for name in names:
            conn.execute(f"DROP TABLE IF EXISTS ebill.{name}")


def _owner(sandbox, statement: str) -> None:
    with psycopg.connect(sandbox.dsn("bill", "ebill_owner"), autocommit=True) as conn:
        conn.execute(statement, {})


STATS = "SELECT n_mod_since_analyze, n_dead_tup, seq_scan FROM pg_stat_user_tables WHERE schemaname = 'ebill' AND relname = %s"


@pytest.mark.integration
def test_tables_changed_without_analyze_are_stale(sandbox, bill_db, scratch_tables):
    from ebill_ops.perf import database

    # One statement per session, each awaited: a session's counts reach the views when it ends.
    _owner(sandbox, "INSERT INTO ebill.perf_probe_stale SELECT g, 'x' FROM generate_series(1, 2000) g")
    _poll(sandbox, STATS, ("perf_probe_stale",), lambda r: r[0] == 2000)
    _owner(sandbox, "ANALYZE ebill.perf_probe_stale")
    _poll(sandbox, STATS, ("perf_probe_stale",), lambda r: r[0] == 0)
    _owner(sandbox, "INSERT INTO ebill.perf_probe_stale SELECT g, 'y' FROM generate_series(2001, 7000) g")
    _owner(sandbox, "INSERT INTO ebill.perf_probe_never SELECT g, 'z' FROM generate_series(1, 3000) g")
    _poll(sandbox, STATS, ("perf_probe_stale",), lambda r: r[0] == 5000)
    _poll(sandbox, STATS, ("perf_probe_never",), lambda r: r[0] == 3000)
    found = {
        f.target: f
        for f in database.check_database(bill_db, PerfSettings(), previous={})[0]
        if f.category == "stale_stats"
    }
    assert found["ebill.perf_probe_stale"].value == 5000
    assert "rows changed since the last analyze" in found["ebill.perf_probe_stale"].detail
    assert found["ebill.perf_probe_stale"].advice.startswith("ANALYZE ebill.perf_probe_stale;")
    assert "never analyzed" in found["ebill.perf_probe_never"].detail
    # The seeded tables were analyzed after loading: none of them is stale.
    assert not [t for t in found if not t.startswith("ebill.perf_probe")]


@pytest.mark.integration
def test_bloat_dead_rows_unused_index_and_full_scans_are_found(sandbox, bill_db, scratch_tables):
    from ebill_ops.perf import database

    # Reset this table's counters (a DBA's pg_stat_reset... does the same to all of them): the
    # unused-index claim must count from this reset, not from pg_stat_statements' own reset.
    with psycopg.connect(sandbox.admin_dsn("bill"), autocommit=True) as admin:
        admin.execute("SELECT pg_stat_reset_single_table_counters('ebill.perf_probe_bloat'::regclass)")
        reset_at = admin.execute(
            "SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()[0]
    _owner(
        sandbox,
        "INSERT INTO ebill.perf_probe_bloat SELECT g, repeat(md5(g::text), 4) FROM generate_series(1, 40000) g",
    )
    _owner(sandbox, "CREATE INDEX perf_probe_bloat_pad_idx ON ebill.perf_probe_bloat (pad)")
    _owner(sandbox, "DELETE FROM ebill.perf_probe_bloat WHERE id %% 4 <> 0")
    _poll(sandbox, STATS, ("perf_probe_bloat",), lambda r: r[1] == 30000)
    _owner(sandbox, "ANALYZE ebill.perf_probe_bloat")
    with psycopg.connect(sandbox.dsn("bill", "ebill_ro")) as conn:
        for _ in range(3):
            conn.execute("SELECT count(*) FROM ebill.perf_probe_bloat WHERE length(pad) > 200").fetchone()
    _poll(sandbox, STATS, ("perf_probe_bloat",), lambda r: r[2] >= 3)
    settings = PerfSettings(
        bloat=BloatSettings(min_mb=1),
        index=IndexSettings(unused_min_mb=0.5, big_table_rows=5000, min_seq_scans=3),
    )
    found = database.check_database(bill_db, settings, previous={})[0]
    by_key = {(f.category, f.target): f for f in found}
    bloat = by_key[("bloat", "ebill.perf_probe_bloat")]
    assert (
        bloat.severity == "critical" and bloat.facts["wasted_pct"] >= 60 and bloat.facts["dead_rows"] >= 30000
    )
    assert "VACUUM (ANALYZE) ebill.perf_probe_bloat" in bloat.advice
    unused = by_key[("unused_index", "ebill.perf_probe_bloat_pad_idx")]
    assert "DROP INDEX CONCURRENTLY" in unused.advice
    assert f"no scan since {tables.naive_local(reset_at):%Y-%m-%d %H:%M}" in unused.detail, unused.detail
    scans = by_key[("seq_scan", "ebill.perf_probe_bloat")]
    assert scans.value >= 3 and "CREATE INDEX CONCURRENTLY" in scans.advice
    # Unique and primary-key indexes are never "unused" candidates.
    assert not [f for f in found if f.category == "unused_index" and f.target.endswith("_pkey")]


@pytest.mark.integration
def test_views_the_account_cannot_read_become_findings_not_failures(sandbox, manifest):
    from ebill_ops.perf import database, run, store

    # HIS has no pg_stat_statements: the top SQL check cannot run there.
    week = Window(
        dt.datetime.combine(TODAY, dt.time()), dt.datetime.combine(TODAY + dt.timedelta(days=1), dt.time())
    )
    summary = run.check_database("his_db", week)
    assert summary["unreadable"] == ["top_sql"]
    with db.connect("ebops_db", read_only=False) as ops:
        rows = [r for r in store.findings_of_week(ops, week.start.date()) if r["source"] == "his_db"]
        ops.execute("perf/delete_findings", {"week_start": week.start.date(), "source": "his_db"})
    check = next(r for r in rows if r["category"] == "check" and r["target"] == "top_sql")
    assert check["severity"] == "warning" and "pg_stat_statements" in check["advice"]
    assert "UndefinedTable" in check["detail"]
    assert {r["target"] for r in rows if r["category"] == "check" and r["severity"] == "ok"} == {
        "stale_stats",
        "bloat",
        "unused_index",
        "seq_scan",
    }
    # An account without pg_read_all_stats sees other accounts' statements hidden: said, not crashed.
    with psycopg.connect(sandbox.dsn("bill", "his_ro"), autocommit=True) as raw:
        found, _ = database.top_sql(db.Db(raw, "postgresql"), PerfSettings(), {}, since="x")
    visibility = next(f for f in found if f.target == "top_sql:visibility")
    assert visibility.severity == "warning" and visibility.value > 0 and "pg_monitor" in visibility.advice


@pytest.mark.integration
def test_an_unreachable_database_is_a_finding_not_a_failure(sandbox, manifest, monkeypatch):
    from ebill_ops.perf import run, store

    # A port nobody listens on (the sandbox's own PostgreSQL port minus one).
    nowhere = {"conn_type": "postgres", "host": "127.0.0.1", "port": sandbox.port("postgres") - 1}
    monkeypatch.setenv("AIRFLOW_CONN_PERF_NOWHERE", json.dumps({**nowhere, "schema": "bill", "login": "x"}))
    week = Window(
        dt.datetime.combine(TODAY, dt.time()), dt.datetime.combine(TODAY + dt.timedelta(days=1), dt.time())
    )
    summary = run.check_database("perf_nowhere", week)
    with db.connect("ebops_db", read_only=False) as ops:
        rows = [r for r in store.findings_of_week(ops, week.start.date()) if r["source"] == "perf_nowhere"]
        ops.execute("perf/delete_findings", {"week_start": week.start.date(), "source": "perf_nowhere"})
    assert summary["unreadable"] == ["connect"]
    [connect] = rows
    assert connect["severity"] == "warning" and "OperationalError" in connect["detail"]
    assert "check the connection and account" in connect["advice"]


@pytest.mark.integration
def test_a_rerun_of_a_week_followed_by_a_recorded_week_keeps_its_database_findings(sandbox, manifest):
    # Re-running an older week must not file today's figures under it, nor overwrite the
    # top-SQL snapshot that the later week's differences are measured from.
    from ebill_ops.perf import run, store

    start = dt.datetime.combine(TODAY + dt.timedelta(days=7), dt.time())  # no other test's week
    week = Window(start, start + dt.timedelta(days=7))
    now = dt.datetime.combine(TODAY, dt.time(7))
    later = {
        "week_start": week.end.date(),
        "week_end": (week.end + dt.timedelta(days=7)).date(),
        "finished_at": now,
        "worst_severity": "ok",
        "warning_count": 0,
        "critical_count": 0,
        "report_url": None,
        "fingerprint": None,
        "mailed_at": None,
    }

    def recorded():
        with db.connect("ebops_db") as ops:
            findings = [
                r for r in store.findings_of_week(ops, week.start.date()) if r["source"] == "ebill_db"
            ]
            snapshot = ops.rows_sql(
                "SELECT count(*) AS n, max(taken_at) AS taken FROM ebops.perf_sql_snapshot "
                "WHERE week_start = %(w)s AND source = 'ebill_db'",
                {"w": week.start.date()},
            )[0]
        return findings, snapshot

    try:
        first = run.check_database("ebill_db", week, now=now)
        assert "skipped" not in first and first["findings"] > 0
        findings, snapshot = recorded()
        assert findings and snapshot["n"] > 0 and snapshot["taken"] == now
        with db.connect("ebops_db", read_only=False) as ops:
            store.save_run(ops, later)
        again = run.check_database("ebill_db", week, now=now + dt.timedelta(hours=1))
        assert "a later week" in again.get("skipped", ""), again
        assert recorded() == (findings, snapshot)  # nothing replaced
        with db.connect("ebops_db") as ops:  # the report's backfill banner follows the same rule
            assert (
                run.why_kept(ops, week, now, PerfSettings())
                == f"a later week ({week.end:%Y-%m-%d}) is recorded"
            )
    finally:
        with db.connect("ebops_db", read_only=False) as ops:
            ops.execute("perf/delete_run", {"week_start": later["week_start"]})
            ops.execute("perf/delete_findings", {"week_start": week.start.date(), "source": "ebill_db"})
            ops.execute("perf/delete_snapshot", {"week_start": week.start.date(), "source": "ebill_db"})


@pytest.mark.integration
def test_a_complete_report_is_mailed_after_an_incomplete_one(sandbox, manifest):
    from ebill_ops.perf import run, store
    from ebill_ops.perf.findings import Finding

    start = dt.datetime.combine(TODAY - dt.timedelta(days=35), dt.time())  # no other test's week
    week = Window(start, start + dt.timedelta(days=7))
    source = "perf_test_source"
    finding = Finding("bloat", "ebill.t", "warning", 40.0, "%", "waste ≥ 30%", "size 100 MB", "VACUUM")
    try:
        with db.connect("ebops_db", read_only=False) as ops:
            store.replace_findings(ops, week.start.date(), source, [finding], start)
        incomplete = run.make_report(week, run_id="r1", missing=["check_interfaces"])
        complete = run.make_report(week, run_id="r2")  # the failed check was cleared: same findings
        same = run.make_report(week, run_id="r3")
        with db.connect("ebops_db", read_only=False) as ops:
            store.replace_findings(
                ops, week.start.date(), source, [replace(finding, severity="critical")], start
            )
        changed = run.make_report(week, run_id="r4")
    finally:
        with db.connect("ebops_db", read_only=False) as ops:
            ops.execute("perf/delete_findings", {"week_start": week.start.date(), "source": source})
            ops.execute("perf/delete_run", {"week_start": week.start.date()})
    assert incomplete["mailed_to"] and incomplete["incomplete"] == ["check_interfaces"]
    assert complete["mailed_to"], "the complete report must follow the incomplete one"
    assert same["mailed_to"] == []  # the same content is not mailed twice
    assert changed["mailed_to"] and changed["critical"] == 1


def _degraded(manifest) -> set[tuple[str, str, str]]:
    return {(i["interface"], i["start"], i["end"]) for i in manifest["interface"] if i["kind"] == "degraded"}


@pytest.mark.integration
def test_slow_windows_are_exactly_the_degraded_incidents(sandbox, manifest):
    from ebill_ops.perf import run, store

    week = Window(dt.datetime.combine(TEST_START, dt.time()), dt.datetime.combine(TODAY, dt.time()))
    summary = run.check_interfaces(week)
    with db.connect("ebops_db") as ops:
        rows = [r for r in store.findings_of_week(ops, week.start.date()) if r["source"] == summary["source"]]
    windows = {
        (f["interface"], f["start"], f["end"])
        for f in (json.loads(r["facts"]) for r in rows if r["category"] == "slow_window")
    }
    assert _degraded(manifest) and windows == _degraded(manifest)
    with psycopg.connect(sandbox.dsn("bill", "ebill_ro")) as conn:
        pairs = conn.execute(
            "SELECT DISTINCT interface || '/' || service_name FROM ebill.interface_call_log "
            "WHERE call_time >= %s AND call_time < %s",
            (week.start, week.end),
        ).fetchall()
    weekly = {r["target"]: r for r in rows if r["category"] == "slow_interface"}
    assert set(weekly) == {p for (p,) in pairs}
    assert weekly["signature/signData"]["severity"] == "info"  # the week's p95 stays under 1 s


# --- the DAG ----------------------------------------------------------------------------------
def test_weekly_schedule_whole_days_and_deadline(dagbag):
    dag = dagbag.dags[DAG_ID]
    interval = dag.timetable.infer_manual_data_interval(
        run_after=pendulum.datetime(2026, 11, 30, 7, tz="Asia/Shanghai")
    )
    assert (interval.end - interval.start).days == 7
    assert dag.deadline and {"weekly", "performance", "read-only"} <= set(dag.tags)
    assert {t.task_id for t in dag.tasks} == {"check_database", "check_interfaces", "report", "all_checked"}
    assert dag.get_task("all_checked").trigger_rule == "all_success"  # a failed check fails the run


def _ops_counts(sandbox, week_start: dt.date) -> tuple[int, int, int]:
    with psycopg.connect(sandbox.dsn("ebops", "ebops_rw")) as conn:
        return tuple(
            conn.execute(
                f"SELECT count(*) FROM ebops.{table} WHERE week_start = %s", (week_start,)
            ).fetchone()[0]
            for table in ("perf_finding", "perf_sql_snapshot", "perf_run")
        )


@pytest.fixture
def quiet_top_sql(tmp_path, monkeypatch):
    """The session's settings with top SQL never a warning: which statements cross a share or a
    mean depends on the machine and on earlier tests, and the re-run below must see the same."""
    import yaml

    from ebill_ops.config import config_path

    data = yaml.safe_load(config_path().read_text()) or {}
    data["perf"] = {"top_sql": {"warn_share_pct": 100, "warn_mean_ms": 1e12}}
    path = tmp_path / "ebill_ops.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    monkeypatch.setenv("EBILL_OPS_CONFIG", str(path))


@pytest.mark.e2e
def test_the_dag_keeps_the_weeks_findings_reports_and_mails_once(run_dag, sandbox, manifest, quiet_top_sql):
    from sandbox import smtp_sink

    smtp_sink.clear(sandbox)
    conf = {"start": TEST_START.isoformat(), "end": TODAY.isoformat()}
    dagrun, xcom = run_dag(DAG_ID, TODAY, **conf)
    assert dagrun.state == "success"
    summary = xcom("report")
    assert summary["week_start"] == TEST_START.isoformat() and summary["mailed_to"]
    assert summary["per_category"]["slow_window"] == len(_degraded(manifest))
    assert "top_sql" not in summary["per_category"]  # the settings of this test (quiet_top_sql) apply
    html = Path(summary["report_url"].removeprefix("file://")).read_text()
    assert "性能优化建议 Performance advisor" in html and "Top SQL 高耗时语句" in html
    for interface, start, end in _degraded(manifest):
        assert f"{interface} {start[:16]}–{end[11:16]}" in html
    mail = smtp_sink.wait_for(sandbox, lambda m: DAG_ID in m["Subject"], timeout=30)[0]
    assert (
        "项待处理" in mail["Subject"]
        and summary["report_url"] in mail.get_body(preferencelist=("html",)).get_content()
    )
    counts = _ops_counts(sandbox, TEST_START)
    assert counts[0] > 0 and counts[1] > 0 and counts[2] == 1

    # A re-run replaces the week's rows and does not mail the same report again.
    dagrun, xcom = run_dag(DAG_ID, TODAY, **conf)
    assert dagrun.state == "success" and xcom("report")["mailed_to"] == []
    assert _ops_counts(sandbox, TEST_START)[0] == counts[0] and _ops_counts(sandbox, TEST_START)[2] == 1
    assert len([m for m in smtp_sink.messages(sandbox) if DAG_ID in m["Subject"]]) == 1


def test_a_check_task_that_returned_nothing_is_named_in_the_report():
    from ebill_ops.perf import run

    assert run.incomplete(["ebill_db"], [{"source": "ebill_db"}], {"source": "x"}) == []
    assert run.incomplete(["ebill_db"], {"source": "ebill_db"}, {"source": "x"}) == []
    assert run.incomplete(["ebill_db", "dr_db"], [{"source": "ebill_db"}], None) == [
        "check_database[dr_db]",
        "check_interfaces",
    ]
    html = report.render(
        Window(dt.datetime(2026, 11, 23), dt.datetime(2026, 11, 30)),
        [],
        generated_at=dt.datetime(2026, 11, 30, 7),
        run_id="r",
        live=True,
        missing=["check_interfaces"],
    )
    assert "These checks of this run failed" in html and "check_interfaces" in html
    assert "2026-11-23 ~ 2026-11-29" in html


def test_the_runbook_covers_every_task():
    runbook = (Path(__file__).resolve().parent.parent / "docs" / "runbooks" / f"{DAG_ID}.md").read_text()
    for section in ("## check_database", "## check_interfaces", "## report", "## deadline"):
        assert section in runbook
    # Every check the database task runs has its row (what it means, what to do), and every way a
    # task ends other than "found things" is explained.
    from ebill_ops.perf import database

    for check in ("top_sql", *(c.name for c in database.TABLE_CHECKS)):
        assert f"| {check} " in runbook, check
    for outcome in ("*Failed*", "*Skipped*", '"connect"', "not readable", "Before dropping an index"):
        assert outcome in runbook, outcome
