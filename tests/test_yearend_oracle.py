"""Year-end plans for Oracle from recorded dictionary rows, compared with the expected DDL.

No database: the rows in tests/fixtures/oracle_catalog/ are what the five catalogue queries return
(``include/sql/oracle/yearend/``); the planner reads them through the same ``Catalog.from_rows``
as a live site. Every statement must parse with sqlglot's Oracle dialect.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pytest
import sqlglot
from pydantic import ValidationError

from ebill_ops.sql import split_statements
from ebill_ops.yearend import ddl
from ebill_ops.yearend.apply import PlanChanged, reconcile, verify
from ebill_ops.yearend.catalog import QUERIES, Catalog, UnknownBound, parse_oracle_high_value
from ebill_ops.yearend.plan import build_plan
from ebill_ops.yearend.settings import YearEndSettings

FIXTURES = Path(__file__).parent / "fixtures" / "oracle_catalog"
AS_OF = dt.date(2026, 12, 1)
ORACLE_SETTINGS = {
    "owner": "ebill",
    "tablespace": {"size": "20G", "maxsize": "200G", "datafile_dir": "/u01/oradata/EBILL"},
    "read_only": {"enabled": True},
}


def rows(state: str) -> dict[str, list[dict]]:
    return {q: json.loads((FIXTURES / state / f"{q}.json").read_text()) for q in QUERIES}


def catalog(state: str, edit=None) -> Catalog:
    data = rows(state)
    if edit:
        data = copy.deepcopy(data)
        edit(data)
    return Catalog.from_rows("oracle", data)


def settings(**changes) -> YearEndSettings:
    data = copy.deepcopy(ORACLE_SETTINGS)
    for key, value in changes.items():
        data.setdefault(key, {}).update(value)
    return YearEndSettings.model_validate(data)


def expected() -> list[str]:
    return split_statements((FIXTURES / "expected_2027.sql").read_text())


def parses(statement: str) -> None:
    """sqlglot parses the statement (DDL may come back as an opaque Command) and its parentheses close."""
    parsed = sqlglot.parse_one(statement, read="oracle")
    assert parsed is not None
    depth = 0
    for token in sqlglot.tokenize(statement, read="oracle"):
        depth += {"L_PAREN": 1, "R_PAREN": -1}.get(token.token_type.name, 0)
        assert depth >= 0, statement
    assert depth == 0, statement


def test_the_plan_for_2027_is_the_expected_ddl():
    plan = build_plan(catalog("before"), settings(), 2027, as_of=AS_OF)
    assert plan.statements == expected()
    for statement in plan.statements:
        parses(statement)


def test_the_expected_ddl_file_parses_statement_by_statement():
    statements = expected()
    assert len(statements) == 12
    for statement in statements:
        parses(statement)


def test_skips_say_why():
    plan = build_plan(catalog("before"), settings(), 2027, as_of=AS_OF)
    skipped = {s.object_name: s.reason for s in plan.skipped}
    assert "interval-partitioned" in skipped["EBILL.BILL_PAYMENT"]
    assert "NUMTOYMINTERVAL" in skipped["EBILL.BILL_PAYMENT"]
    assert "already compressed (BASIC)" in skipped["EBILL.BILL.BILL_Y2022"]
    assert "READ ONLY" in skipped["EBILL.BILL.BILL_Y2021"]
    assert "already READ ONLY" in skipped["EBILL_DATA_2021"]
    assert any("EBILL_DATA_2021 is read-only" in w for w in plan.warnings)
    # No step touches data newer than the cutoff (2025-01-01) or the read-only tablespace.
    moved = [s.partition for s in plan.steps if s.kind == "compress"]
    assert moved == [
        "BILL_Y2023",
        "BILL_Y2024",
        "BILL_ITEM_Y2023",
        "BILL_ITEM_Y2024",
        "BILL_PAYMENT_Y2023",
        "SYS_P1021",
    ]
    assert all(s.count_rows for s in plan.steps if s.kind == "compress")


def test_split_step_carries_bounds_and_source_for_verification():
    plan = build_plan(catalog("before"), settings(), 2027, as_of=AS_OF)
    split = next(s for s in plan.steps if s.partition == "BILL_ITEM_Y2027")
    assert (split.low, split.high, split.source_partition) == (
        "2027-01-01T00:00:00",
        "2028-01-01T00:00:00",
        "BILL_ITEM_PMAX",
    )
    assert split.count_rows and split.tablespace == "EBILL_DATA_2027"


def test_estimates_extrapolate_the_current_year():
    plan = build_plan(catalog("before"), settings(), 2027, as_of=AS_OF)
    bill = plan.estimates["tables"]["BILL"]
    assert bill["projected_next_year_bytes"] > bill["current_year_bytes"] > 0
    assert plan.estimates["tablespace_max_bytes"] == 200 * 2**30
    small = build_plan(catalog("before"), settings(tablespace={"maxsize": "2G"}), 2027, as_of=AS_OF)
    assert any("raise yearend.tablespace.maxsize" in w for w in small.warnings)


def test_after_apply_the_plan_is_empty_and_verification_passes():
    before = build_plan(catalog("before"), settings(), 2027, as_of=AS_OF)
    after = catalog("after")
    again = build_plan(after, settings(), 2027, as_of=AS_OF)
    assert again.steps == []
    assert any("exists" in s.reason for s in again.skipped if s.object_name == "EBILL_DATA_2027")
    counts = {s.step_id: 1000 for s in before.steps if s.count_rows}
    checks = verify(before.steps, after, again, counts_before=counts, counts_after=dict(counts))
    assert checks and all(c.passed for c in checks), [c for c in checks if not c.passed]
    kinds = {c.check for c in checks}
    assert {
        "done",
        "exists",
        "bounds",
        "tablespace",
        "compression",
        "row_count",
        "indexes_usable",
        "read_only",
    } <= kinds


@pytest.mark.parametrize(
    "edit, failing",
    [
        (
            lambda d: next(r for r in d["index_status"] if r["table_partition"] == "BILL_Y2023").update(
                status="UNUSABLE"
            ),
            "indexes_usable",
        ),
        (
            lambda d: next(r for r in d["table_partitions"] if r["partition_name"] == "BILL_Y2024").update(
                compression="DISABLED", compress_for=None
            ),
            "compression",
        ),
        (
            lambda d: d["table_partitions"].remove(
                next(r for r in d["table_partitions"] if r["partition_name"] == "BILL_Y2027")
            ),
            "exists",
        ),
        (
            lambda d: next(r for r in d["tablespaces"] if r["tablespace_name"] == "EBILL_DATA_2023").update(
                status="ONLINE"
            ),
            "read_only",
        ),
    ],
)
def test_verification_catches_what_did_not_happen(edit, failing):
    before = build_plan(catalog("before"), settings(), 2027, as_of=AS_OF)
    after = catalog("after", edit)
    again = build_plan(after, settings(), 2027, as_of=AS_OF)
    counts = {s.step_id: 5 for s in before.steps if s.count_rows}
    checks = verify(before.steps, after, again, counts_before=counts, counts_after=counts)
    assert failing in {c.check for c in checks if not c.passed}


def test_verification_catches_changed_row_counts():
    before = build_plan(catalog("before"), settings(), 2027, as_of=AS_OF)
    after = catalog("after")
    counts = {s.step_id: 5 for s in before.steps if s.count_rows}
    lost = {**counts, "compress:EBILL.BILL:BILL_Y2023": 4}
    checks = verify(
        before.steps,
        after,
        build_plan(after, settings(), 2027, as_of=AS_OF),
        counts_before=counts,
        counts_after=lost,
    )
    assert [c.object_name for c in checks if not c.passed] == ["compress:EBILL.BILL:BILL_Y2023"]


def test_monthly_partitions_split_and_add_twelve_periods():
    plan = build_plan(catalog("before"), settings(partitions={"granularity": "monthly"}), 2027, as_of=AS_OF)
    adds = [s for s in plan.steps if s.kind == "partition" and s.table == "BILL"]
    splits = [s for s in plan.steps if s.kind == "partition" and s.table == "BILL_ITEM"]
    assert len(adds) == len(splits) == 12
    assert adds[0].statements[0] == (
        "ALTER TABLE EBILL.BILL ADD PARTITION BILL_Y2027M01 VALUES LESS THAN (DATE '2027-02-01') TABLESPACE EBILL_DATA_2027"
    )
    assert (
        splits[-1]
        .statements[0]
        .startswith(
            "ALTER TABLE EBILL.BILL_ITEM SPLIT PARTITION BILL_ITEM_PMAX AT (DATE '2028-01-01') INTO (PARTITION BILL_ITEM_Y2027M12"
        )
    )
    for step in plan.steps:
        for statement in step.statements:
            parses(statement)


def test_missing_current_year_partition_is_caught_up_before_next_year():
    def drop_2026(d):
        d["table_partitions"] = [r for r in d["table_partitions"] if r["partition_name"] != "BILL_Y2026"]

    plan = build_plan(catalog("before", drop_2026), settings(), 2027, as_of=AS_OF)
    bill = [s for s in plan.steps if s.kind == "partition" and s.table == "BILL"]
    assert [s.partition for s in bill] == ["BILL_Y2026", "BILL_Y2027"]
    assert "TABLESPACE EBILL_DATA_2026" in bill[0].statements[0] and "catch-up" in bill[0].reason


def test_existing_next_year_objects_are_skipped():
    def already(d):
        d["tablespaces"].append(dict(d["tablespaces"][0], tablespace_name="EBILL_DATA_2027"))
        d["table_partitions"].append(
            dict(
                d["table_partitions"][5],
                partition_name="BILL_Y2027",
                partition_position=7,
                high_value="TO_DATE(' 2028-01-01 00:00:00', 'SYYYY-MM-DD HH24:MI:SS', 'NLS_CALENDAR=GREGORIAN')",
            )
        )

    plan = build_plan(catalog("before", already), settings(), 2027, as_of=AS_OF)
    assert not [
        s for s in plan.steps if s.kind == "tablespace" or (s.table == "BILL" and s.kind == "partition")
    ]
    reasons = {s.object_name: s.reason for s in plan.skipped}
    assert reasons["EBILL_DATA_2027"].startswith("已存在 exists")
    assert "exists" in reasons["EBILL.BILL.BILL_Y2027"]


def test_advanced_compression_only_when_licensed():
    with pytest.raises(ValidationError, match="Advanced Compression"):
        settings(compression={"oracle_type": "advanced"})
    plan = build_plan(
        catalog("before"),
        settings(compression={"oracle_type": "advanced", "advanced_compression_licensed": True}),
        2027,
        as_of=AS_OF,
    )
    moves = [s.statements[0] for s in plan.steps if s.kind == "compress"]
    assert all("ROW STORE COMPRESS ADVANCED UPDATE INDEXES" in m for m in moves)
    assert any("BILL_Y2022" in m for m in moves)  # BASIC upgraded to ADVANCED


def test_online_move_and_omf_and_smallfile():
    plan = build_plan(
        catalog("before"),
        settings(
            compression={"online": True},
            tablespace={"bigfile": False, "datafile_dir": None, "size": "8G", "maxsize": "30G"},
        ),
        2027,
        as_of=AS_OF,
    )
    assert plan.statements[0] == (
        "CREATE SMALLFILE TABLESPACE EBILL_DATA_2027 DATAFILE SIZE 8G AUTOEXTEND ON NEXT 1G MAXSIZE 30G"
    )
    assert all(s.statements[0].endswith("UPDATE INDEXES ONLINE") for s in plan.steps if s.kind == "compress")
    with pytest.raises(ValidationError, match="smallfile"):
        settings(tablespace={"bigfile": False, "maxsize": "UNLIMITED"})


def test_read_only_off_by_default_and_compression_can_be_off():
    plan = build_plan(
        catalog("before"),
        settings(read_only={"enabled": False}, compression={"enabled": False}),
        2027,
        as_of=AS_OF,
    )
    assert {s.kind for s in plan.steps} == {"tablespace", "partition"}


def test_not_partitioned_and_missing_tables_are_reported():
    cfg = settings(
        partitions={"tables": [{"name": "issuing_point"}, {"name": "no_such_table"}, {"name": "bill"}]}
    )
    plan = build_plan(catalog("before"), cfg, 2027, as_of=AS_OF)
    assert [s.partition for s in plan.steps if s.kind == "partition"] == ["BILL_Y2027"]
    assert any("not partitioned" in w for w in plan.warnings)
    assert any("NO_SUCH_TABLE: table not found" in w for w in plan.warnings)


def test_reconcile_runs_only_reviewed_steps():
    reviewed = build_plan(catalog("before"), settings(), 2027, as_of=AS_OF)
    half = catalog(
        "after",
        lambda d: next(r for r in d["tablespaces"] if r["tablespace_name"] == "EBILL_DATA_2024").update(
            status="ONLINE"
        ),
    )
    fresh = build_plan(half, settings(), 2027, as_of=AS_OF)
    steps, done = reconcile(reviewed, fresh)
    assert [s.step_id for s in steps] == ["read_only:EBILL_DATA_2024"]
    assert len(done) == len(reviewed.steps) - 1
    # Something needed now that nobody reviewed: refuse.
    with pytest.raises(PlanChanged, match="not in the approved plan"):
        reconcile(build_plan(catalog("after"), settings(), 2027, as_of=AS_OF), reviewed)
    changed = build_plan(catalog("before"), settings(tablespace={"size": "30G"}), 2027, as_of=AS_OF)
    with pytest.raises(PlanChanged, match="statements changed"):
        reconcile(reviewed, changed)


def test_plan_round_trips_through_json():
    from ebill_ops.yearend.plan import Plan

    plan = build_plan(catalog("before"), settings(), 2027, as_of=AS_OF)
    again = Plan.from_dict(json.loads(json.dumps(plan.to_dict())))
    assert again.fingerprint() == plan.fingerprint() and again.steps == plan.steps


def test_high_value_parsing():
    assert parse_oracle_high_value("MAXVALUE").high is None
    bound = parse_oracle_high_value("TIMESTAMP' 2027-01-01 00:00:00'")
    assert (bound.high, bound.key_kind) == (dt.datetime(2027, 1, 1), "TIMESTAMP")
    bound = parse_oracle_high_value(
        "TO_DATE(' 2027-07-01 00:00:00', 'SYYYY-MM-DD HH24:MI:SS', 'NLS_CALENDAR=GREGORIAN')"
    )
    assert bound.high == dt.datetime(2027, 7, 1) and bound.key_kind == "DATE"
    with pytest.raises(UnknownBound):
        parse_oracle_high_value("100000")
    odd = catalog("before", lambda d: d["table_partitions"][0].update(high_value="'A'"))
    plan = build_plan(odd, settings(), 2027, as_of=AS_OF)
    assert any("bounds not understood" in w for w in plan.warnings)


@pytest.mark.parametrize("name", ["bill; drop table x", "BILL Y", '"BILL"', "1BILL", "x" * 129])
def test_unsafe_names_never_reach_ddl(name):
    with pytest.raises(ddl.UnsafeName):
        ddl.oracle_add_partition("EBILL", name, "P1", dt.datetime(2028, 1, 1), None, "DATE")
    with pytest.raises(ddl.UnsafeName):
        ddl.postgres_create_partition(
            "ebill", "bill", name, dt.datetime(2027, 1, 1), dt.datetime(2028, 1, 1), None
        )


def test_unsafe_datafile_path_is_refused():
    with pytest.raises(ddl.UnsafeName):
        ddl.oracle_create_tablespace(
            "EBILL_DATA_2027",
            bigfile=True,
            size="1G",
            autoextend=False,
            next_size="1G",
            maxsize="1G",
            datafile_dir="/u01/x'; --",
        )
