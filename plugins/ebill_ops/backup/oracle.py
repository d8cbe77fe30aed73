"""Oracle backup over SSH: RMAN (backup, then ``VALIDATE BACKUPSET`` and ``RESTORE DATABASE
VALIDATE``) or Data Pump (export of the core tables, then a test import into a scratch schema).

Only the commands and the parsing of their output live here; they run on the database server as
its OS user with OS authentication (``target /``, ``'/ as sysdba'``), so no password is ever on a
command line. RMAN's validations read every block of the backup pieces and check their checksums;
``CROSSCHECK`` would only see that the files exist, which proves nothing.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field

from ebill_ops.backup.settings import OracleBackupSettings

ERROR = re.compile(r"\b(RMAN-\d{5}|ORA-\d{5}|ORA-\d{4}|UDE-\d{5}|UDI-\d{5}|LRM-\d{5})\b.*")


@dataclass
class ToolOutput:
    """What a run of RMAN, expdp or impdp said, reduced to what decides its verdict."""

    ok: bool
    errors: list[str] = field(default_factory=list)
    backupset_keys: list[int] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)  # Data Pump: rows per table (partitions summed)
    files: list[str] = field(default_factory=list)


def tag_for(day_text: str) -> str:
    """RMAN tags are at most 30 characters of letters, digits and ``_``: ``EBOPS_20261201``."""
    return "EBOPS_" + day_text.replace("-", "")


def _heredoc(settings: OracleBackupSettings, tool: str, script: str) -> str:
    return f"{settings.env_setup} && {tool} <<'EBOPS_EOF'\n{script.strip()}\nEBOPS_EOF"


def rman_backup_command(settings: OracleBackupSettings, tag: str) -> str:
    script = f"""
RUN {{
  BACKUP AS COMPRESSED BACKUPSET TAG '{tag}' DATABASE PLUS ARCHIVELOG TAG '{tag}';
  BACKUP CURRENT CONTROLFILE TAG '{tag}';
}}
LIST BACKUP SUMMARY TAG '{tag}';
EXIT;
"""
    return _heredoc(settings, "rman target /", script)


def rman_validate_command(settings: OracleBackupSettings, keys: Sequence[int]) -> str:
    """Read every piece of the day's backup sets and check them, then check what a restore would use."""
    if not keys:
        raise ValueError("no backup set to validate")
    script = f"""
VALIDATE BACKUPSET {", ".join(str(k) for k in keys)};
RESTORE DATABASE VALIDATE;
EXIT;
"""
    return _heredoc(settings, "rman target /", script)


_SUMMARY_ROW = re.compile(r"^\s*(\d+)\s+B\s+\S+\s+(A|X|U|D)\s+\S+", re.MULTILINE)


def parse_rman(output: str, exit_status: int, *, expect: str) -> ToolOutput:
    """RMAN's verdict: exit 0, no RMAN-/ORA- error, and the line that says the work finished.

    ``expect`` is ``backup`` or ``validate``. ``LIST BACKUP SUMMARY`` rows give the backup set keys
    (only sets with status A, available).
    """
    errors = [m.group(0).strip() for m in ERROR.finditer(output)]
    keys = [int(m.group(1)) for m in _SUMMARY_ROW.finditer(output) if m.group(2) == "A"]
    finished = {
        "backup": "Finished backup at" in output,
        "validate": "Finished validate at" in output and "Finished restore at" in output,
    }[expect]
    return ToolOutput(
        ok=exit_status == 0 and not errors and finished, errors=errors[:20], backupset_keys=keys
    )


def datapump_export_command(
    settings: OracleBackupSettings, day_text: str, tables: Sequence[str], scn: int
) -> tuple[str, str, str]:
    """expdp of the core tables, consistent at ``scn`` (FLASHBACK_SCN): the SCN the source's
    figures were read at, so rows issued meanwhile on a live platform make no false mismatch.

    Returns (command, dump file name, log file name).
    """
    stem = f"ebill_core_{day_text.replace('-', '')}"
    names = ",".join(f"{settings.schema_name}.{t.upper()}" for t in tables)
    params = [
        f"directory={settings.datapump_directory}",
        f"dumpfile={stem}.dmp",
        f"logfile={stem}.log",
        f"tables={names}",
        f"flashback_scn={int(scn)}",
        "reuse_dumpfiles=yes",
        "compression=metadata_only",
    ]
    command = f"{settings.env_setup} && expdp \"'/ as sysdba'\" " + " ".join(shlex.quote(p) for p in params)
    return command, f"{stem}.dmp", f"{stem}.log"


def datapump_import_command(settings: OracleBackupSettings, dump_file: str) -> str:
    """A test import of the dump into the scratch schema (tables replaced each time)."""
    stem = dump_file.removesuffix(".dmp")
    params = [
        f"directory={settings.datapump_directory}",
        f"dumpfile={dump_file}",
        f"logfile={stem}_verify.log",
        f"remap_schema={settings.schema_name}:{settings.restore_schema}",
        "table_exists_action=replace",
    ]
    return f"{settings.env_setup} && impdp \"'/ as sysdba'\" " + " ".join(shlex.quote(p) for p in params)


def checksum_command(settings: OracleBackupSettings, file_name: str) -> str:
    return f"sha256sum {shlex.quote(settings.datapump_path.rstrip('/') + '/' + file_name)}"


def size_command(settings: OracleBackupSettings, file_name: str) -> str:
    return f"stat -c %s {shlex.quote(settings.datapump_path.rstrip('/') + '/' + file_name)}"


# ". . exported "EBILL"."BILL":"BILL_Y2026"   12.34 MB   123456 rows"
_MOVED = re.compile(
    r'^\.\s*\.\s*(?:exported|imported)\s+"[^"]+"\."(?P<table>[^"]+)"(?::"[^"]+")?\s+[\d.]+\s+\w+\s+(?P<rows>\d+)\s+rows',
    re.MULTILINE,
)
_DONE = re.compile(r'Job "[^"]+"\."[^"]+" successfully completed', re.IGNORECASE)
_DUMPFILE = re.compile(r"^\s*(/\S+\.dmp)\s*$", re.MULTILINE)


def parse_datapump(output: str, exit_status: int) -> ToolOutput:
    """Rows moved per table (partitions summed), the dump files, and whether the job completed cleanly.

    A job that "completed with N error(s)" is a failure: some object or row did not make it.
    """
    rows: dict[str, int] = {}
    for m in _MOVED.finditer(output):
        table = m.group("table").lower()
        rows[table] = rows.get(table, 0) + int(m.group("rows"))
    errors = [m.group(0).strip() for m in ERROR.finditer(output)]
    ok = exit_status == 0 and bool(_DONE.search(output)) and not errors
    return ToolOutput(ok=ok, errors=errors[:20], rows=rows, files=_DUMPFILE.findall(output))


def parse_sha256sum(output: str) -> str | None:
    first = output.strip().split()
    return first[0].lower() if first and re.fullmatch(r"[0-9a-fA-F]{64}", first[0]) else None
