"""Year-end work on the sandbox: a real plan applied to PostgreSQL, readiness, layout archiving.

The module loads a data set that ends on 1 December (so next year's bill codes and stock exist,
except the stock of the one point the manifest names) and runs with its own settings file (the
layout root of this sandbox). Every test starts from the same database state: next year's
partitions dropped, old partitions not compacted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import psycopg
import pytest
import yaml

from tests.conftest import TODAY

YEAR = TODAY.year  # the data's current year; the plan is for the next one
TARGET = YEAR + 1
AS_OF = dt.date(YEAR, 12, 1)
TABLES = ("bill", "bill_item", "bill_payment")


def december_config():
    """Three days ending 1 December: next year's codes and stock are handed down in December."""
    from sandbox.generator.config import GeneratorConfig

    return GeneratorConfig(
        seed=20271201,
        start=AS_OF - dt.timedelta(days=2),
        days=3,
        bills_per_day=200,
        today=AS_OF,
        history_years=3,
        history_bills_per_month=6,
    )


def write_config(directory: Path, sandbox, **yearend) -> Path:
    """The shared settings file plus a yearend section pointing at this sandbox's file server."""
    from ebill_ops.config import config_path

    data = yaml.safe_load(config_path().read_text()) or {}
    section = {"layout": {"root": str(sandbox.files_dir / "layout")}}
    for key, value in yearend.items():
        section.setdefault(key, {}).update(value)
    data["yearend"] = section
    path = directory / "ebill_ops.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


def reset_year_end(sandbox, year: int = TARGET) -> None:
    """Undo this capability's DDL: drop next year's partitions, forget the compaction marker."""
    from sandbox.pg import admin_connect

    with admin_connect(sandbox, "bill") as conn:
        conn.execute("DROP TABLE IF EXISTS ebill.yearend_blocker")
        for table in TABLES:
            conn.execute(f"DROP TABLE IF EXISTS ebill.{table}_y{year}")
        parts = conn.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace n ON n.oid = p.relnamespace "
            "WHERE n.nspname = 'ebill' AND p.relkind = 'p' AND c.reloptions IS NOT NULL"
        ).fetchall()
        for (name,) in parts:
            conn.execute(f"ALTER TABLE ebill.{name} RESET (fillfactor)")


def partitions(sandbox) -> dict[str, str]:
    with psycopg.connect(sandbox.dsn("bill", "ebill_owner")) as conn:
        return dict(
            conn.execute(
                "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
                "JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent "
                "WHERE p.relname IN ('bill', 'bill_item', 'bill_payment')"
            ).fetchall()
        )


def insert_next_year(sandbox) -> None:
    """A bill, an item and a payment dated 2 January next year, rolled back afterwards."""
    when = dt.datetime(TARGET, 1, 2, 9, 30)
    with psycopg.connect(sandbox.dsn("bill", "ebill_owner")) as conn:
        try:
            conn.execute(
                "INSERT INTO ebill.bill (bill_id, data_type, state, direction, total_amt, bus_date_time, ivc_date_time) "
                "VALUES (990000000001, 1, 1, 1, 12.50, %s, %s)",
                (when, when),
            )
            conn.execute(
                "INSERT INTO ebill.bill_item (bill_id, ivc_date_time, sort_no, amt) VALUES (990000000001, %s, 1, 12.50)",
                (when,),
            )
            conn.execute(
                "INSERT INTO ebill.bill_payment (bill_id, ivc_date_time, pay_channel, pay_amt) "
                "VALUES (990000000001, %s, '02', 12.50)",
                (when,),
            )
            where = conn.execute(
                "SELECT tableoid::regclass::text FROM ebill.bill WHERE bill_id = 990000000001"
            ).fetchone()[0]
            assert where == f"ebill.bill_y{TARGET}"
        finally:
            conn.rollback()


@pytest.fixture(scope="module")
def december(reseed, sandbox, tmp_path_factory):
    """The December data set and this module's settings file; DDL and archives undone afterwards."""
    manifest = reseed(december_config())
    path = write_config(tmp_path_factory.mktemp("yearend"), sandbox)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EBILL_OPS_CONFIG", str(path))
        reset_year_end(sandbox)
        yield manifest
    reset_year_end(sandbox)
    shutil.rmtree(sandbox.files_dir / "layout" / "_archive", ignore_errors=True)


@pytest.fixture
def clean(december, sandbox):
    reset_year_end(sandbox)
    return december


def settings():
    from ebill_ops.yearend.run import settings as current

    return current()


# --- database plan, apply, verify -----------------------------------------------------------


@pytest.mark.integration
def test_plan_on_the_sandbox_lists_next_years_partitions_and_old_compaction(clean, sandbox):
    from ebill_ops.yearend.run import plan_database

    plan = plan_database(settings(), TARGET, AS_OF)
    creates = [s.statements[0] for s in plan.steps if s.kind == "partition"]
    assert creates == [
        f"CREATE TABLE ebill.{t}_y{TARGET} PARTITION OF ebill.{t} FOR VALUES FROM ('{TARGET}-01-01 00:00:00') "
        f"TO ('{TARGET + 1}-01-01 00:00:00')"
        for t in TABLES
    ]
    old = [s.partition for s in plan.steps if s.kind == "compress"]
    assert old == [f"{t}_y{y}" for t in TABLES for y in (TARGET - 4, TARGET - 3)]
    first = next(s for s in plan.steps if s.kind == "compress")
    assert first.statements == (
        f"VACUUM (FULL, FREEZE, ANALYZE) ebill.bill_y{TARGET - 4}",
        f"ALTER TABLE ebill.bill_y{TARGET - 4} SET (fillfactor = 100)",
    )
    reasons = " ".join(s.reason for s in plan.skipped)
    assert "no PostgreSQL tablespace configured" in reasons
    with pytest.raises(psycopg.errors.CheckViolation, match="no partition"):
        insert_next_year(sandbox)


@pytest.mark.integration
def test_apply_creates_partitions_an_insert_uses_and_a_rerun_has_nothing_to_do(clean, sandbox):
    from ebill_ops.yearend import run

    summary = run.make_plan(
        target_year=TARGET, as_of=AS_OF, parts=["database"], mode="apply", run_id="t-apply"
    )
    assert summary["steps"]["partition"] == 3 and summary["steps"]["compress"] == 6
    outcome = run.apply_database(summary, approved_by="tester", run_id="t-apply")
    assert outcome["failed"] is None and len(outcome["applied"]) == summary["statements"] == 15
    assert set(outcome["counts_before"]) == {
        f"compress:ebill.{t}:{t}_y{y}" for t in TABLES for y in (TARGET - 4, TARGET - 3)
    }
    assert all(n > 0 for n in outcome["counts_before"].values())
    result = run.verify_database(summary, outcome, run_id="t-apply")
    assert result["failed_checks"] == [] and result["remaining_steps"] == 0 and result["checks"] > 20
    bounds = partitions(sandbox)
    assert (
        bounds[f"bill_y{TARGET}"]
        == f"FOR VALUES FROM ('{TARGET}-01-01 00:00:00') TO ('{TARGET + 1}-01-01 00:00:00')"
    )
    insert_next_year(sandbox)
    again = run.plan_database(settings(), TARGET, AS_OF)
    assert again.steps == []
    assert sum("exists" in s.reason for s in again.skipped) == 3
    assert sum("already compacted" in s.reason for s in again.skipped) == 6
    with psycopg.connect(sandbox.dsn("ebops", "ebops_rw")) as conn:
        ledger = conn.execute(
            "SELECT status, approved_by, count(*) FROM ebops.yearend_statement WHERE target_year = %s GROUP BY 1, 2",
            (TARGET,),
        ).fetchall()
    assert ledger == [("applied", "tester", 15)]


@pytest.mark.integration
def test_apply_stops_at_the_first_error_and_a_rerun_finishes(clean, sandbox):
    from ebill_ops.yearend import run
    from sandbox.pg import admin_connect

    summary = run.make_plan(
        target_year=TARGET, as_of=AS_OF, parts=["database"], mode="apply", run_id="t-stop"
    )
    # Someone holds the name bill_item_y<next> with a plain table: the second statement must fail.
    with admin_connect(sandbox, "bill") as conn:
        conn.execute(f"CREATE TABLE ebill.bill_item_y{TARGET} (x int)")
    outcome = run.apply_database(summary, approved_by="tester", run_id="t-stop")
    assert outcome["failed"]["step_id"] == f"partition:ebill.bill_item:bill_item_y{TARGET}"
    assert "already exists" in outcome["failed"]["error"]
    assert [a["step_id"] for a in outcome["applied"]] == [f"partition:ebill.bill:bill_y{TARGET}"]
    assert outcome["remaining"][0] == outcome["failed"]["step_id"] and len(outcome["remaining"]) == 8
    assert f"bill_payment_y{TARGET}" not in partitions(sandbox)  # nothing after the failure ran
    with psycopg.connect(sandbox.dsn("ebops", "ebops_rw")) as conn:
        failed = conn.execute(
            "SELECT step_id, error FROM ebops.yearend_statement WHERE target_year = %s AND status = 'failed'",
            (TARGET,),
        ).fetchall()
    assert failed and failed[0][0] == outcome["failed"]["step_id"]
    with admin_connect(sandbox, "bill") as conn:
        conn.execute(f"DROP TABLE ebill.bill_item_y{TARGET}")
    # The same approved plan, again: the done step is recognised, the rest runs.
    second = run.apply_database(summary, approved_by="tester", run_id="t-stop-2")
    assert second["failed"] is None
    assert second["already_done"] == [f"partition:ebill.bill:bill_y{TARGET}"]
    assert len(second["applied"]) == 14
    assert run.verify_database(summary, second, run_id="t-stop-2")["failed_checks"] == []


@pytest.mark.integration
def test_apply_refuses_what_was_not_reviewed(clean, sandbox):
    from airflow.sdk import ObjectStoragePath

    from ebill_ops.yearend import run
    from ebill_ops.yearend.apply import PlanChanged

    summary = run.make_plan(
        target_year=TARGET, as_of=AS_OF, parts=["database"], mode="apply", run_id="t-refuse"
    )
    assert summary["statements"] == 15
    # The plan on record was reviewed without the compaction steps (say, planned with compression
    # off); the database still needs them, so applying that approval must change nothing.
    context = run.load_context(summary["plan_url"])
    context["plan"]["steps"] = [s for s in context["plan"]["steps"] if s["kind"] != "compress"]
    ObjectStoragePath(summary["plan_url"]).write_text(json.dumps(context))
    with pytest.raises(PlanChanged, match="not in the approved plan"):
        run.apply_database(summary, approved_by="tester", run_id="t-refuse")
    assert f"bill_y{TARGET}" not in partitions(sandbox)


# --- readiness ------------------------------------------------------------------------------


@pytest.mark.integration
def test_readiness_checklist_on_december_data(clean, sandbox):
    from ebill_ops.yearend import run

    plan = run.plan_database(settings(), TARGET, AS_OF)
    checks = {c.check_id: c for c in run.check_readiness(TARGET, AS_OF, plan)}
    assert checks["bill_codes"].passed, checks["bill_codes"]
    missing = {r["place_code"] for r in clean["readiness"] if r["kind"] == "next_year_stock_missing"}
    assert len(missing) == 1
    assert not checks["stock"].passed and checks["stock"].severity == "critical"
    assert {item.split()[0] for item in checks["stock"].items} == missing
    assert checks["audit_overdue"].passed
    assert checks["audit_deadlines"].passed and len(checks["audit_deadlines"].items) >= 3
    assert not checks["database"].passed and len(checks["database"].items) == 3


# --- layout files ---------------------------------------------------------------------------


def _index(sandbox, before: dt.date) -> dict[int, tuple[str, str | None, str]]:
    with psycopg.connect(sandbox.dsn("bill", "ebill_ro")) as conn:
        rows = conn.execute(
            "SELECT bill_id, file_path, archive_path, sha256 FROM ebill.layout_file WHERE ivc_date < %s",
            (before,),
        ).fetchall()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


@pytest.mark.integration
def test_layout_files_archived_verified_then_removed_and_a_damaged_archive_keeps_originals(december, sandbox):
    from ebill_ops.yearend import run

    root = sandbox.files_dir / "layout"
    before = dt.date(TARGET - 2, 1, 1)
    index = _index(sandbox, before)
    assert index and all(archive is None for _, archive, _ in index.values())
    assert all((root / path).is_file() for path, _, _ in index.values())
    newer = [p for p in root.glob(f"{TARGET - 2}/**/*.pdf")]
    assert newer, "files of the last two years exist and must stay"

    summary = run.make_plan(
        target_year=TARGET, as_of=AS_OF, parts=["layout"], mode="apply", run_id="t-layout"
    )
    assert summary["layout_units"] == 24 and summary["layout_files"] == len(index)
    packed = run.pack_layout(summary, run_id="t-layout")
    assert packed["built"] == 24 and all(not u["problems"] for u in packed["units"])
    assert all((root / path).is_file() for path, _, _ in index.values()), "pack removes nothing"
    # Damage one archive between writing and reading back (a disk fault, a bad copy).
    victim = next(u for u in packed["units"] if u["period"] == f"{TARGET - 4}-03")
    damaged = root / victim["archive_path"]
    data = bytearray(damaged.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))

    released = run.release_layout(summary, packed, run_id="t-layout")
    assert released["corrupt"] == [victim["archive_path"]]
    assert released["released"] == 23
    after = _index(sandbox, before)
    kept = {b for b, (path, archive, _) in after.items() if archive is None}
    assert kept and all(
        path.startswith(f"{TARGET - 4}/03/") for b, (path, _, _) in after.items() if b in kept
    )
    assert all((root / after[b][0]).is_file() for b in kept), "originals of the damaged archive stay"
    gone = [b for b in after if b not in kept]
    assert all(not (root / after[b][0]).exists() for b in gone)
    # A bill's file can still be found, byte for byte, from its archive.
    sample = gone[len(gone) // 2]
    content = run.read_layout_file(sample)
    assert hashlib.sha256(content).hexdigest() == after[sample][2]
    assert run.locate(sample)["archive_path"].startswith("_archive/")
    assert all(p.is_file() for p in newer)

    # Run again: the damaged archive is rebuilt from the originals (still there) and read back.
    again = run.make_plan(
        target_year=TARGET, as_of=AS_OF, parts=["layout"], mode="apply", run_id="t-layout-2"
    )
    assert again["layout_units"] == 1 and again["layout_files"] == len(kept) and again["layout_pending"] == 1
    repacked = run.pack_layout(again, run_id="t-layout-2")
    assert repacked["built"] == 1 and "failed verification" in repacked["units"][0]["problems"][0]
    # The worker dies after recording the archive in the index and before removing the originals.
    rebuilt = repacked["units"][0]["archive_path"]
    run.mark_archived(sorted(kept), rebuilt)
    assert all((root / after[b][0]).is_file() for b in kept)
    # The next run has no new files to pack, but still the archive to finish: it is not "nothing to do".
    third = run.make_plan(
        target_year=TARGET, as_of=AS_OF, parts=["layout"], mode="apply", run_id="t-layout-3"
    )
    assert third["layout_units"] == 0 and third["layout_pending"] == 1
    assert run.gate(third, {"mode": "apply", "approved_plan": third["digest"]}) == "form"
    final = run.release_layout(third, {"units": []}, run_id="t-layout-3")
    assert final["corrupt"] == [] and final["released"] == 1 and final["removed"] == len(kept)
    assert not any((root / after[b][0]).exists() for b in kept)
    assert all(archive for _, archive, _ in _index(sandbox, before).values())
    last = run.make_plan(target_year=TARGET, as_of=AS_OF, parts=["layout"], mode="apply", run_id="t-layout-4")
    assert last["layout_units"] == 0 and last["layout_pending"] == 0
    assert run.gate(last, {"mode": "apply", "approved_plan": last["digest"]}) is None
    with psycopg.connect(sandbox.dsn("ebops", "ebops_rw")) as conn:
        states = conn.execute(
            "SELECT status, count(*) FROM ebops.yearend_layout_archive GROUP BY 1 ORDER BY 1"
        ).fetchall()
    assert states == [("released", 24)]


@pytest.mark.integration
def test_layout_archiving_over_ssh_commands(december, sandbox, tmp_path):
    """The file server reached over SSH (exec only, no SFTP): pack, read back, remove, extract."""
    from ebill_ops.yearend import layout
    from ebill_ops.yearend.fileserver import SshFileServer

    root = tmp_path / "server"
    source = sandbox.files_dir / "layout" / str(YEAR - 1)
    shutil.copytree(source, root / str(YEAR - 1))
    with psycopg.connect(sandbox.dsn("bill", "ebill_ro")) as conn:
        rows = [
            dict(zip(("bill_id", "file_path", "size_bytes", "sha256"), r, strict=True))
            for r in conn.execute(
                "SELECT bill_id, file_path, size_bytes, sha256 FROM ebill.layout_file "
                "WHERE ivc_date >= %s AND ivc_date < %s",
                (dt.date(YEAR - 1, 5, 1), dt.date(YEAR - 1, 6, 1)),
            ).fetchall()
        ]
    assert rows
    # One original differs from the index: it must be left alone and reported.
    odd = root / rows[0]["file_path"]
    odd.write_bytes(odd.read_bytes() + b"tampered")
    fs = SshFileServer("ebill_ssh_sandbox", str(root))
    try:
        built = layout.pack(
            fs, f"{YEAR - 1}-05", rows, archive_dir="_archive", compresslevel=6, now=dt.datetime.now()
        )
        assert built.status == "built" and built.files == len(rows) - 1
        assert any("differs from the index" in p for p in built.problems)
        assert (
            layout.pack(
                fs, f"{YEAR - 1}-05", rows, archive_dir="_archive", compresslevel=6, now=dt.datetime.now()
            ).status
            == "reused"
        )
        marked: list[int] = []
        done = layout.release(fs, built.archive_path, lambda ids, path: marked.extend(ids))
        assert done.status == "released" and done.removed == len(rows) - 1 and len(marked) == len(rows) - 1
        assert odd.is_file() and not (root / rows[1]["file_path"]).exists()
        content = layout.extract(fs, rows[1]["file_path"], built.archive_path)
        assert hashlib.sha256(content).hexdigest() == rows[1]["sha256"]
        # A damaged archive read back over SSH is refused too.
        other = [dict(r, file_path=r["file_path"]) for r in rows[:1]]
        odd.write_bytes(odd.read_bytes()[: -len(b"tampered")])
        second = layout.pack(
            fs, f"{YEAR - 1}-05", other, archive_dir="_archive", compresslevel=6, now=dt.datetime.now()
        )
        target = root / second.archive_path
        target.write_bytes(target.read_bytes()[:-30])
        refused = layout.release(fs, second.archive_path, lambda ids, path: marked.extend(ids))
        assert refused.status == "corrupt" and odd.is_file()
    finally:
        fs.close()


def test_layout_verify_names_every_difference():
    from ebill_ops.yearend.fileserver import Readback
    from ebill_ops.yearend.layout import MANIFEST_MEMBER, verify

    manifest = {
        "files": [{"path": "a.pdf", "size": 3, "sha256": "x"}, {"path": "b.pdf", "size": 4, "sha256": "y"}],
        "archive": {"size": 100, "sha256": "z"},
    }
    good = Readback(100, "z", {MANIFEST_MEMBER: (10, "m"), "a.pdf": (3, "x"), "b.pdf": (4, "y")})
    assert verify(good, manifest) == []
    bad = Readback(99, "q", {"a.pdf": (3, "w"), "c.pdf": (1, "c")})
    problems = " | ".join(verify(bad, manifest))
    for text in (
        "archive sha256",
        "archive size",
        "MANIFEST.json missing",
        "a.pdf: size/sha256",
        "b.pdf: missing",
        "c.pdf: in the archive",
    ):
        assert text in problems
    assert verify(Readback(error="unreadable archive: EOFError"), manifest) == [
        "unreadable archive: EOFError"
    ]


def test_pack_refuses_unsafe_paths_and_reports_missing_originals(tmp_path):
    from ebill_ops.yearend import layout
    from ebill_ops.yearend.fileserver import LocalFileServer

    (tmp_path / "2020" / "01").mkdir(parents=True)
    (tmp_path / "2020" / "01" / "ok.pdf").write_bytes(b"%PDF ok")
    rows = [
        {"bill_id": 1, "file_path": "2020/01/ok.pdf", "sha256": None},
        {"bill_id": 2, "file_path": "../../etc/passwd", "sha256": None},
        {"bill_id": 3, "file_path": "_archive/2020/x.tar.gz", "sha256": None},
        {"bill_id": 4, "file_path": "2020/01/gone.pdf", "sha256": None},
    ]
    fs = LocalFileServer(tmp_path)
    result = layout.pack(
        fs, "2020-01", rows, archive_dir="_archive", compresslevel=1, now=dt.datetime(2027, 12, 1)
    )
    assert result.status == "built" and result.files == 1
    problems = " | ".join(result.problems)
    assert "../../etc/passwd: unsafe" in problems and "_archive/2020/x.tar.gz: unsafe or reserved" in problems
    assert "2020/01/gone.pdf: original missing (bill 4)" in problems
    assert (tmp_path / "2020" / "01" / "ok.pdf").is_file()


def test_release_keeps_an_original_rewritten_after_it_was_packed(tmp_path):
    """A release resumed later must not delete a file whose content is no longer the archived copy."""
    from ebill_ops.yearend import layout
    from ebill_ops.yearend.fileserver import LocalFileServer

    folder = tmp_path / "2020" / "01"
    folder.mkdir(parents=True)
    (folder / "a.pdf").write_bytes(b"%PDF a")
    (folder / "b.pdf").write_bytes(b"%PDF b")
    rows = [
        {"bill_id": 1, "file_path": "2020/01/a.pdf", "sha256": None},
        {"bill_id": 2, "file_path": "2020/01/b.pdf", "sha256": None},
    ]
    fs = LocalFileServer(tmp_path)
    built = layout.pack(
        fs, "2020-01", rows, archive_dir="_archive", compresslevel=1, now=dt.datetime(2027, 12, 1)
    )
    assert built.status == "built" and built.files == 2
    (folder / "b.pdf").write_bytes(b"%PDF b, re-generated")  # rewritten between pack and release
    marked: list[int] = []
    done = layout.release(fs, built.archive_path, lambda ids, path: marked.extend(ids))
    assert done.status == "released" and done.removed == 1 and marked == [1]
    assert not (folder / "a.pdf").exists()
    assert (folder / "b.pdf").read_bytes() == b"%PDF b, re-generated"
    assert any("2020/01/b.pdf: changed since it was archived (bill 2)" in p for p in done.problems)
