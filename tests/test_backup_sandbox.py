"""Backup verification against the sandbox's real PostgreSQL: pg_dump, checksum, test restore.

Backups are corrupted, truncated, removed and mis-recorded on purpose; each must be caught as a
critical finding, recorded as failed in the catalogue, and mailed once.
"""

from __future__ import annotations

import datetime as dt
import json
import os

import psycopg
import pytest

from ebill_ops import db
from ebill_ops.backup import catalog, files, run
from ebill_ops.backup.settings import BackupSettings, OracleBackupSettings

pytestmark = pytest.mark.integration

DAY = dt.date.today()


@pytest.fixture
def settings(tmp_path) -> BackupSettings:
    return BackupSettings(directory=str(tmp_path / "backup"))


def _entry(day: dt.date = DAY, method: str = "pg_dump") -> dict:
    with db.connect("ebops_db") as ops:
        return catalog.entry(ops, day, method)


def _critical(result: dict) -> dict[str, str]:
    return {f["check"]: f["detail"] for f in result["findings"] if f["severity"] == "critical"}


def test_backup_is_catalogued_and_its_restore_matches_the_source(sandbox, manifest, settings):
    taken = run.take(DAY, settings)
    path = files.local_path(taken["file_url"])
    assert path.is_file() and taken["size_bytes"] == path.stat().st_size
    assert not list(path.parent.glob("*.partial"))
    with psycopg.connect(sandbox.dsn("bill", "ebill_ro")) as conn:
        bills, amount = conn.execute("SELECT count(*), sum(total_amt) FROM ebill.bill").fetchone()
    assert taken["rows"]["bill"] == bills == manifest["rows"]["bills"]
    entry = _entry()
    assert entry["status"] == "created" and entry["sha256"] == files.sha256_of(path)
    assert entry["stats"]["bill"].amount == f"{amount:.2f}"
    result = run.verify(DAY, settings)
    assert result["status"] == "verified", result
    assert result["tables"] == {t: True for t in settings.core_tables}
    with db.connect("ebops_db") as ops:
        checks = ops.rows_sql(
            "SELECT table_name, source_rows, restored_rows, matches FROM ebops.backup_table_check "
            "WHERE backup_date = %(d)s AND method = 'pg_dump'",
            {"d": DAY},
        )
    assert {c["table_name"]: (c["source_rows"], c["restored_rows"], c["matches"]) for c in checks}[
        "bill"
    ] == (
        bills,
        bills,
        1,
    )
    assert _entry()["status"] == "verified"
    with psycopg.connect(sandbox.admin_dsn()) as conn:  # the scratch database is gone again
        assert (
            conn.execute("SELECT count(*) FROM pg_database WHERE datname LIKE 'ebops_restore_%'").fetchone()[
                0
            ]
            == 0
        )


def test_corrupt_backup_is_caught_and_alerted(sandbox, manifest, settings):
    from sandbox import smtp_sink

    taken = run.take(DAY, settings)
    path = files.local_path(taken["file_url"])
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(b ^ 0xFF for b in data[middle : middle + 64])
    path.write_bytes(bytes(data))  # same size, different content: only the checksum can tell
    result = run.verify(DAY, settings)
    assert result["status"] == "failed"
    assert "校验和 Checksum" in _critical(result)
    assert _entry()["status"] == "failed"
    smtp_sink.clear(sandbox)
    with pytest.raises(Exception) as failure:
        run.conclude(result, taken, None)
    assert getattr(failure.value, "ebops_alerted", False)  # no second mail from the failure callback
    mail = smtp_sink.wait_for(sandbox, lambda m: "ebill_backup_verify" in m["Subject"], timeout=30)[0]
    assert "CRITICAL" in mail["Subject"]
    body = mail.get_body(preferencelist=("html",)).get_content()
    assert path.name in body and "ebops.backup_catalog" in body
    # A good backup afterwards closes the incident with a recovery notice.
    taken = run.take(DAY, settings)
    summary = run.conclude(run.verify(DAY, settings), taken, None)
    assert summary["status"] == "verified" and summary["mailed"]["recovered"] == 1


def test_an_alert_mail_that_fails_is_sent_by_the_retry(sandbox, manifest, settings, smtp_down):
    """The incident commits with its mail: SMTP down fails the task, and the retry still mails."""
    from sandbox import smtp_sink

    taken = run.take(DAY, settings)
    path = files.local_path(taken["file_url"])
    path.write_bytes(path.read_bytes()[:2048])
    result = run.verify(DAY, settings)
    smtp_sink.clear(sandbox)
    with smtp_down(), pytest.raises(OSError):
        run.conclude(result, taken, None)
    with pytest.raises(Exception) as failure:
        run.conclude(result, taken, None)
    assert getattr(failure.value, "ebops_alerted", False)
    mail = smtp_sink.wait_for(sandbox, lambda m: "ebill_backup_verify" in m["Subject"], timeout=30)[0]
    assert "CRITICAL" in mail["Subject"]
    taken = run.take(DAY, settings)  # leave a verified backup behind (closes the incident)
    assert run.conclude(run.verify(DAY, settings), taken, None)["status"] == "verified"


def test_truncated_and_missing_backups_are_critical(sandbox, manifest, settings):
    taken = run.take(DAY, settings)
    path = files.local_path(taken["file_url"])
    path.write_bytes(path.read_bytes()[:2048])  # an interrupted copy
    result = run.verify(DAY, settings)
    critical = _critical(result)
    assert (
        result["status"] == "failed" and "备份大小 Backup size" in critical and "校验和 Checksum" in critical
    )
    path.unlink()
    result = run.verify(DAY, settings)
    assert result["status"] == "failed" and "备份文件 Backup file" in _critical(result)
    never = run.verify(DAY - dt.timedelta(days=400), settings)  # no backup at all that day
    assert never["status"] == "failed" and "no catalogue entry" in json.dumps(never["findings"])


def test_restore_that_differs_from_the_source_is_critical(sandbox, manifest, settings):
    """The file is intact but does not hold what the source held (e.g. a dump of the wrong
    database): only the test restore can see it."""
    run.take(DAY, settings)
    entry = _entry()
    stats = json.loads(entry["source_stats"])
    stats["bill_payment"]["rows"] += 1
    stats["bill"]["amount"] = "0.01"
    with db.connect("ebops_db", read_only=False) as ops:
        ops.execute_sql(
            "UPDATE ebops.backup_catalog SET source_stats = %(s)s WHERE backup_date = %(d)s AND method = 'pg_dump'",
            {"s": json.dumps(stats), "d": DAY},
        )
    result = run.verify(DAY, settings)
    assert result["status"] == "failed"
    assert result["tables"]["bill_payment"] is False and result["tables"]["bill"] is False
    assert result["tables"]["bill_item"] is True
    details = " ".join(f["detail"] for f in result["findings"])
    assert "rows" in details and "amount" in details


def test_restore_error_is_critical_and_keeps_nothing_behind(sandbox, manifest, settings, monkeypatch):
    """A restore that cannot even start (the restore account lacks rights) is a failed backup check."""
    run.take(DAY, settings)
    conn = json.loads(os.environ["AIRFLOW_CONN_EBILL_DB"])  # ebill_ro: no CREATEDB
    monkeypatch.setenv("AIRFLOW_CONN_RESTORE_RO", json.dumps(conn))
    weak = settings.model_copy(
        update={"restore": settings.restore.model_copy(update={"conn_id": "restore_ro"})}
    )
    result = run.verify(DAY, weak)
    assert result["status"] == "failed"
    assert "permission denied" in _critical(result)["恢复测试 Test restore"]
    assert conn["password"] not in json.dumps(result)


@pytest.fixture(scope="module", autouse=True)
def leave_the_catalogue_as_found(sandbox):
    """These tests write corrupt, truncated and failed backups into the shared catalogue; later
    modules (the inspection reads the newest backup) must not see them."""
    with db.connect("ebops_db") as ops:
        before = {
            (r["backup_date"], r["method"])
            for r in ops.rows_sql("SELECT backup_date, method FROM ebops.backup_catalog")
        }
    yield
    with db.connect("ebops_db", read_only=False) as ops:
        rows = ops.rows_sql("SELECT backup_date, method FROM ebops.backup_catalog")
        for key in {(r["backup_date"], r["method"]) for r in rows} - before:
            params = {"backup_date": key[0], "method": key[1]}
            ops.execute("backup/delete_table_checks", params)
            ops.execute("backup/delete_catalog", params)


@pytest.fixture
def fake_history():
    """Catalogue rows this test invents; removed afterwards so that later size checks (which
    compare with earlier verified backups) never see their 1-byte sizes."""
    days = [DAY - dt.timedelta(days=n) for n in (20, 1, 2, 3)]
    yield days
    with db.connect("ebops_db", read_only=False) as ops:
        for day in days:
            ops.execute("backup/delete_catalog", {"backup_date": day, "method": "pg_dump"})


def test_retention_removes_only_old_catalogued_files(sandbox, manifest, settings, fake_history):
    old_day = fake_history[0]
    taken = run.take(DAY, settings)
    old_path = files.dump_path(settings, "pg_dump", old_day)
    old_path.write_bytes(files.local_path(taken["file_url"]).read_bytes())
    stray = old_path.with_name("someone_elses_file.dump")
    stray.write_bytes(b"not ours")
    with db.connect("ebops_db", read_only=False) as ops:
        for day in fake_history:
            catalog.record(
                ops,
                backup_date=day,
                method="pg_dump",
                file_url=files.dump_path(settings, "pg_dump", day).as_uri(),
                size_bytes=1,
                sha256=None,
                started_at=dt.datetime.now(),
                finished_at=None,
                status="verified",
                verdict="test",
                stats={},
            )
    result = run.prune(DAY, settings)
    assert result["removed"] == [str(old_day)]
    assert not old_path.exists() and stray.exists()
    assert _entry(old_day)["removed_at"] is not None and _entry(old_day)["status"] == "expired"


def test_oracle_datapump_runs_over_ssh(sandbox, manifest, settings):
    """The Oracle path end to end over the sandbox's SSH server, with canned replies of the exact
    commands (recorded expdp / impdp output): exported and imported rows are compared."""
    from ebill_ops.backup import oracle
    from sandbox import ssh_server

    ora = OracleBackupSettings(ssh_conn_id="ebill_ssh_sandbox", datapump_path="/dp")
    ora_settings = settings.model_copy(
        update={"method": "datapump", "oracle": ora, "core_tables": ["bill", "stock_range"]}
    )
    with psycopg.connect(sandbox.dsn("bill", "ebill_ro")) as conn:
        bills = conn.execute("SELECT count(*) FROM ebill.bill").fetchone()[0]
        ranges = conn.execute("SELECT count(*) FROM ebill.stock_range").fetchone()[0]
    # SCN 0: the PostgreSQL twin of backup/current_scn (Oracle reads v$database.current_scn).
    export, dump_file, _ = oracle.datapump_export_command(ora, DAY.isoformat(), ["bill", "stock_range"], 0)
    digest = "ab" * 32

    def moved(verb: str, schema: str, missing: int = 0) -> str:
        return (
            f'. . {verb} "{schema}"."BILL":"BILL_Y2026"   2.1 MB  {bills - missing} rows\n'
            f'. . {verb} "{schema}"."STOCK_RANGE"   12 KB  {ranges} rows\n'
            f'Job "SYS"."SYS_{verb.upper()}_01" successfully completed at Tue Dec 1 01:52:40 2026\n'
        )

    canned = {
        export: {"stdout": moved("exported", "EBILL"), "exit_status": 0},
        oracle.checksum_command(ora, dump_file): {"stdout": f"{digest}  /dp/{dump_file}\n", "exit_status": 0},
        oracle.size_command(ora, dump_file): {"stdout": "123456789\n", "exit_status": 0},
        oracle.datapump_import_command(ora, dump_file): {
            "stdout": moved("imported", "EBOPS_RESTORE"),
            "exit_status": 0,
        },
    }
    ssh_server.write_faults(sandbox, {"commands": canned})
    try:
        # The sandbox is PostgreSQL: the source figures come from its tables, as an Oracle site's would.
        taken = run.take(DAY, ora_settings.model_copy(update={"source_conn_id": "ebill_db"}))
        assert taken["file_url"] == f"/dp/{dump_file}"
        result = run.verify(DAY, ora_settings)
        assert result["status"] == "verified", result
        assert result["tables"] == {"bill": True, "stock_range": True}
        canned[oracle.datapump_import_command(ora, dump_file)]["stdout"] = moved(
            "imported", "EBOPS_RESTORE", missing=3
        )
        ssh_server.write_faults(sandbox, {"commands": canned})
        result = run.verify(DAY, ora_settings)
        assert result["status"] == "failed" and result["tables"]["bill"] is False
        canned[oracle.checksum_command(ora, dump_file)]["stdout"] = f"{'cd' * 32}  /dp/{dump_file}\n"
        ssh_server.write_faults(sandbox, {"commands": canned})
        assert "校验和 Checksum" in _critical(run.verify(DAY, ora_settings))
    finally:
        ssh_server.clear_faults(sandbox)
