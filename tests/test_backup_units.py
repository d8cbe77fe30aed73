"""Backup verification, the pure parts: size, checksum, table comparison, retention, and the Oracle
commands with their recorded RMAN / Data Pump output (no Oracle server here)."""

from __future__ import annotations

import datetime as dt
import hashlib
import shlex

import pytest

from ebill_ops.backup import checks, files, oracle
from ebill_ops.backup.settings import (
    BackupSettings,
    OracleBackupSettings,
    RestoreSettings,
    RetentionSettings,
    SizeSettings,
)

# --- recorded output (RMAN 19c on the vendor's test server; names changed) ---------------------
RMAN_BACKUP_OK = """
Recovery Manager: Release 19.0.0.0.0 - Production on Tue Dec 1 01:30:02 2026
connected to target database: EBILL (DBID=3051612345)

RMAN> RUN {
2>   BACKUP AS COMPRESSED BACKUPSET TAG 'EBOPS_20261201' DATABASE PLUS ARCHIVELOG TAG 'EBOPS_20261201';
3>   BACKUP CURRENT CONTROLFILE TAG 'EBOPS_20261201';
4> }
Starting backup at 01-DEC-26
current log archived
using channel ORA_DISK_1
channel ORA_DISK_1: starting compressed archived log backup set
channel ORA_DISK_1: backup set complete, elapsed time: 00:00:15
Finished backup at 01-DEC-26

Starting backup at 01-DEC-26
channel ORA_DISK_1: starting compressed full datafile backup set
piece handle=/u02/fra/EBILL/backupset/2026_12_01/o1_mf_nnndf_EBOPS_20261201_ls1.bkp tag=EBOPS_20261201 comment=NONE
channel ORA_DISK_1: backup set complete, elapsed time: 00:21:40
Finished backup at 01-DEC-26

RMAN> LIST BACKUP SUMMARY TAG 'EBOPS_20261201';

List of Backups
===============
Key     TY LV S Device Type Completion Time #Pieces #Copies Compressed Tag
------- -- -- - ----------- --------------- ------- ------- ---------- ---
2211    B  A  A DISK        01-DEC-26       1       1       YES        EBOPS_20261201
2212    B  F  A DISK        01-DEC-26       1       1       YES        EBOPS_20261201
2213    B  A  A DISK        01-DEC-26       1       1       YES        EBOPS_20261201
2214    B  F  X DISK        01-DEC-26       1       1       NO         EBOPS_20261201

RMAN> EXIT;
Recovery Manager complete.
"""
RMAN_BACKUP_FAILED = """
Starting backup at 01-DEC-26
RMAN-00571: ===========================================================
RMAN-00569: =============== ERROR MESSAGE STACK FOLLOWS ===============
RMAN-03009: failure of backup command on ORA_DISK_1 channel at 12/01/2026 01:41:10
ORA-19809: limit exceeded for recovery files
ORA-19804: cannot reclaim 1073741824 bytes disk space from 107374182400 limit
Recovery Manager complete.
"""
RMAN_VALIDATE_OK = """
RMAN> VALIDATE BACKUPSET 2211, 2212, 2213;
Starting validate at 01-DEC-26
channel ORA_DISK_1: starting validation of datafile backup set
channel ORA_DISK_1: reading from backup piece /u02/fra/EBILL/backupset/2026_12_01/o1_mf_nnndf_EBOPS_20261201_ls1.bkp
channel ORA_DISK_1: piece handle=/u02/fra/EBILL/backupset/2026_12_01/o1_mf_nnndf_EBOPS_20261201_ls1.bkp tag=EBOPS_20261201
channel ORA_DISK_1: restored backup piece 1
channel ORA_DISK_1: validation complete, elapsed time: 00:03:02
Finished validate at 01-DEC-26

RMAN> RESTORE DATABASE VALIDATE;
Starting restore at 01-DEC-26
channel ORA_DISK_1: starting validation of datafile backup set
channel ORA_DISK_1: validation complete, elapsed time: 00:03:11
Finished restore at 01-DEC-26
Recovery Manager complete.
"""
RMAN_VALIDATE_CORRUPT = """
Starting validate at 01-DEC-26
channel ORA_DISK_1: reading from backup piece /u02/fra/EBILL/backupset/2026_12_01/o1_mf_nnndf_EBOPS_20261201_ls1.bkp
RMAN-00571: ===========================================================
RMAN-03009: failure of validate command on ORA_DISK_1 channel at 12/01/2026 02:10:41
ORA-19870: error while restoring backup piece /u02/fra/EBILL/backupset/2026_12_01/o1_mf_nnndf_EBOPS_20261201_ls1.bkp
ORA-19599: block number 4212 is corrupt in backup piece /u02/fra/EBILL/backupset/2026_12_01/o1_mf_nnndf_EBOPS_20261201_ls1.bkp
Recovery Manager complete.
"""
EXPDP_OK = """
Export: Release 19.0.0.0.0 - Production on Tue Dec 1 01:30:05 2026
Starting "SYS"."SYS_EXPORT_TABLE_01":  "/******** AS SYSDBA" directory=DATA_PUMP_DIR dumpfile=ebill_core_20261201.dmp
Processing object type TABLE_EXPORT/TABLE/TABLE_DATA
. . exported "EBILL"."BILL":"BILL_Y2025"                 212.3 MB  1102345 rows
. . exported "EBILL"."BILL":"BILL_Y2026"                 201.9 MB  1049012 rows
. . exported "EBILL"."BILL_ITEM":"BILL_ITEM_Y2026"       401.2 MB  4012001 rows
. . exported "EBILL"."STOCK_RANGE"                        12.33 KB      51 rows
Master table "SYS"."SYS_EXPORT_TABLE_01" successfully loaded/unloaded
******************************************************************************
Dump file set for SYS.SYS_EXPORT_TABLE_01 is:
  /u01/app/oracle/admin/ORCL/dpdump/ebill_core_20261201.dmp
Job "SYS"."SYS_EXPORT_TABLE_01" successfully completed at Tue Dec 1 01:52:40 2026 elapsed 0 00:22:35
"""
IMPDP_WITH_ERRORS = """
. . imported "EBOPS_RESTORE"."BILL":"BILL_Y2026"          201.9 MB  1049012 rows
ORA-31693: Table data object "EBOPS_RESTORE"."BILL_ITEM":"BILL_ITEM_Y2026" failed to load/unload and is being skipped due to error:
ORA-02354: error in exporting/importing data
Job "SYS"."SYS_IMPORT_FULL_01" completed with 2 error(s) at Tue Dec 1 02:40:01 2026 elapsed 0 00:30:00
"""


def test_rman_backup_output_gives_the_available_backup_sets():
    parsed = oracle.parse_rman(RMAN_BACKUP_OK, 0, expect="backup")
    assert parsed.ok and parsed.errors == []
    assert parsed.backupset_keys == [2211, 2212, 2213]  # 2214 is expired (X): not validated


def test_rman_errors_fail_the_backup_and_the_validation():
    failed = oracle.parse_rman(RMAN_BACKUP_FAILED, 1, expect="backup")
    assert not failed.ok and any(e.startswith("ORA-19809") for e in failed.errors)
    assert oracle.parse_rman(RMAN_VALIDATE_OK, 0, expect="validate").ok
    corrupt = oracle.parse_rman(RMAN_VALIDATE_CORRUPT, 1, expect="validate")
    assert not corrupt.ok and any("ORA-19599" in e for e in corrupt.errors)
    # Exit 0 but no "Finished restore": the restore validation did not run to its end.
    assert not oracle.parse_rman(RMAN_VALIDATE_OK.split("RMAN> RESTORE")[0], 0, expect="validate").ok


def test_rman_commands_validate_every_set_and_what_a_restore_needs():
    settings = OracleBackupSettings()
    tag = oracle.tag_for("2026-12-01")
    assert tag == "EBOPS_20261201" and len(tag) <= 30
    backup = oracle.rman_backup_command(settings, tag)
    assert backup.startswith(". ~/.bash_profile && rman target / <<'EBOPS_EOF'\n")
    assert f"TAG '{tag}' DATABASE PLUS ARCHIVELOG" in backup and f"LIST BACKUP SUMMARY TAG '{tag}'" in backup
    validate = oracle.rman_validate_command(settings, [2211, 2212])
    assert "VALIDATE BACKUPSET 2211, 2212;" in validate and "RESTORE DATABASE VALIDATE;" in validate
    assert "CROSSCHECK" not in validate
    with pytest.raises(ValueError):
        oracle.rman_validate_command(settings, [])


def test_datapump_export_and_import_commands_carry_no_password():
    settings = OracleBackupSettings()
    command, dump_file, log_file = oracle.datapump_export_command(
        settings, "2026-12-01", ["bill", "bill_item"], 987654321
    )
    assert (dump_file, log_file) == ("ebill_core_20261201.dmp", "ebill_core_20261201.log")
    words = shlex.split(command.split("&&", 1)[1])
    assert words[:2] == ["expdp", "'/ as sysdba'"]  # OS authentication
    # Consistent at the SCN the source figures were read at, not at whenever expdp starts.
    assert "tables=EBILL.BILL,EBILL.BILL_ITEM" in words and "flashback_scn=987654321" in words
    assert not any(w.startswith("flashback_time") for w in words)
    imp = shlex.split(oracle.datapump_import_command(settings, dump_file).split("&&", 1)[1])
    assert "remap_schema=EBILL:EBOPS_RESTORE" in imp and "table_exists_action=replace" in imp
    assert (
        oracle.checksum_command(settings, dump_file)
        == "sha256sum /u01/app/oracle/admin/ORCL/dpdump/ebill_core_20261201.dmp"
    )


def test_datapump_logs_give_rows_per_table_and_errors():
    parsed = oracle.parse_datapump(EXPDP_OK, 0)
    assert parsed.ok
    assert parsed.rows == {"bill": 1102345 + 1049012, "bill_item": 4012001, "stock_range": 51}
    assert parsed.files == ["/u01/app/oracle/admin/ORCL/dpdump/ebill_core_20261201.dmp"]
    bad = oracle.parse_datapump(IMPDP_WITH_ERRORS, 0)  # impdp exits 0 on "completed with errors" too
    assert not bad.ok and any("ORA-31693" in e for e in bad.errors)
    assert oracle.parse_sha256sum("a" * 64 + "  /x.dmp\n") == "a" * 64
    assert oracle.parse_sha256sum("sha256sum: /x.dmp: No such file or directory") is None


def test_size_order_against_earlier_verified_backups():
    s = SizeSettings()
    assert checks.size_finding("f", 100, [1_000_000], s).severity == "critical"  # below the minimum
    assert checks.size_finding("f", 50_000, [1_000_000] * 3, s).severity == "critical"  # 1/20 of usual
    assert checks.size_finding("f", 400_000, [1_000_000] * 3, s).severity == "warning"
    assert checks.size_finding("f", 1_100_000, [1_000_000] * 3, s).severity == "ok"
    first = checks.size_finding("f", 1_100_000, [], s)
    assert first.severity == "ok" and "no earlier size" in first.detail


def test_checksum_and_file():
    assert checks.checksum_finding("f", "ab", "ab").severity == "ok"
    assert checks.checksum_finding("f", "ab", "cd").severity == "critical"
    assert checks.checksum_finding("f", None, "cd").severity == "critical"
    assert checks.file_finding("f", False, None).severity == "critical"


def test_sha256_is_streamed_and_exact(tmp_path):
    data = b"x" * (files.CHUNK * 2 + 17)
    path = tmp_path / "f.dump"
    path.write_bytes(data)
    assert files.sha256_of(path) == hashlib.sha256(data).hexdigest()


def test_table_comparison_catches_rows_amounts_and_content():
    s = checks.TableStat
    source = {"bill": s(10, "100.00", "123"), "bill_item": s(30, "100.00", "9"), "bill_code": s(2, None, "5")}
    restored = {
        "bill": s(10, "100.00", "123"),
        "bill_item": s(30, "99.99", "9"),
        "bill_code": s(2, None, "6"),
    }
    result = {
        c.table_name: c
        for c in checks.compare(source, restored, ["bill", "bill_item", "bill_code", "audit_cycle"])
    }
    assert result["bill"].matches
    assert not result["bill_item"].matches and "amount 100.00 → 99.99" in result["bill_item"].differences()
    assert not result["bill_code"].matches and "content hash" in result["bill_code"].differences()
    assert not result["audit_cycle"].matches  # no figures at all is no proof
    status, verdict = checks.verdict(checks.table_findings(list(result.values())))
    assert status == "failed" and "bill_item" in verdict
    assert checks.verdict(checks.table_findings([result["bill"]]))[0] == "verified"


def test_stats_survive_the_catalogue_json_exactly():
    stats = checks.stats_by_table(
        [{"table_name": "bill", "row_count": 3, "amount_total": "12.5", "content_hash": 77}]
    )
    assert stats["bill"] == checks.TableStat(3, "12.50", "77")
    assert checks.stats_from_json(checks.stats_to_json(stats)) == stats


def test_retention_keeps_the_newest_verified_backups():
    today = dt.date(2026, 12, 1)

    def e(days_ago: int, status: str = "verified") -> dict:
        return {"backup_date": today - dt.timedelta(days=days_ago), "status": status, "removed_at": None}

    entries = [e(1), e(2, "failed"), e(9), e(10), e(11, "failed"), e(30)]
    removed = files.to_remove(entries, today, RetentionSettings(days=7, keep_min_verified=3))
    assert sorted((today - r["backup_date"]).days for r in removed) == [
        11,
        30,
    ]  # 9 and 10 are among the newest 3 good
    assert files.to_remove(entries, today, RetentionSettings(enabled=False)) == []


def test_settings_refuse_a_scratch_database_that_could_be_real():
    with pytest.raises(ValueError):
        RestoreSettings(database="bill")
    with pytest.raises(ValueError):
        RestoreSettings(database="ebops_restore_x; DROP")
    with pytest.raises(ValueError):
        BackupSettings(core_tables=["bill", "interface_log_typo"])


def test_oracle_source_figures_are_read_at_the_export_scn():
    """Every Oracle stats query reads AS OF the export's SCN; otherwise bills issued between the
    count and the export would fail a good backup on a live platform."""
    from ebill_ops.sql import load_sql

    for table in BackupSettings().core_tables:
        text = load_sql(f"backup/stats/{table}", "oracle")
        assert f"FROM {table} AS OF SCN :scn" in text, table
    assert "current_scn" in load_sql("backup/current_scn", "oracle")


def test_settings_refuse_a_restore_schema_that_could_be_real():
    """The Data Pump test import replaces the tables of restore_schema: never the source's."""
    assert OracleBackupSettings(restore_schema="ebops_restore_2").restore_schema == "ebops_restore_2"
    with pytest.raises(ValueError, match="scratch schema"):
        OracleBackupSettings(restore_schema="EBILL")
    with pytest.raises(ValueError, match="scratch schema"):
        OracleBackupSettings(schema_name="EBOPS_RESTORE", restore_schema="ebops_restore")
    with pytest.raises(ValueError, match="scratch schema"):
        OracleBackupSettings(restore_schema="HIS")


def test_file_urls_with_spaces_and_chinese_names_find_their_file(tmp_path):
    """``Path.as_uri()`` percent-encodes; the catalogue's URL must lead back to the same file
    (else verification reports it missing and retention never deletes it)."""
    path = tmp_path / "备份 目录" / "ebill_core_2026-12-01.dump"
    path.parent.mkdir()
    path.write_bytes(b"x")
    assert "%" in path.as_uri()
    assert files.local_path(path.as_uri()) == path and files.local_path(path.as_uri()).is_file()
    assert files.local_path(str(path)) == path
