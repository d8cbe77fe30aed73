"""Settings of the backup verification (section ``backup`` of the YAML file)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from ebill_ops.config import Strict

# The data contract's core tables a backup must hold (docs/data-contract.md).
CONTRACT_TABLES = (
    "bill",
    "bill_item",
    "bill_payment",
    "stock_range",
    "issuing_point",
    "bill_code",
    "audit_cycle",
)
SCRATCH_PREFIX = "ebops_restore_"


class RestoreSettings(Strict):
    # Connection used to create and drop the scratch database (needs CREATEDB); empty: ebill_dba.
    # A site may point it at a separate test server; the restore never touches the source.
    conn_id: str | None = None
    database: str = "ebops_restore_check"
    keep_on_failure: bool = False  # keep the scratch database of a failed check for a person to inspect
    timeout_minutes: int = 120

    @field_validator("database")
    @classmethod
    def _scratch_only(cls, value: str) -> str:
        # The restore drops this database before and after: never let it name a real one.
        if not value.startswith(SCRATCH_PREFIX) or not value.replace("_", "").isalnum():
            raise ValueError(
                f"the scratch database must be named {SCRATCH_PREFIX}<letters/digits>, not {value!r}"
            )
        return value


class SizeSettings(Strict):
    min_bytes: int = 4096  # smaller is a truncated or empty dump
    history: int = 7  # compare with the median size of this many earlier verified backups
    warn_ratio: float = 2.0  # outside [1/2, 2] x the median: warning
    critical_ratio: float = 10.0  # outside [1/10, 10] x the median: a different order of size, critical


class RetentionSettings(Strict):
    enabled: bool = True
    days: int = 7  # backups older than this many days are removed ...
    keep_min_verified: int = 3  # ... but never the newest verified ones


class OracleBackupSettings(Strict):
    """Oracle: the commands run on the database server over SSH (OS authentication, no password)."""

    ssh_conn_id: str = "ebill_ssh_db"
    env_setup: str = ". ~/.bash_profile"  # sets ORACLE_HOME / ORACLE_SID for rman, expdp, impdp
    schema_name: str = "EBILL"
    datapump_directory: str = "DATA_PUMP_DIR"  # Oracle directory object
    datapump_path: str = "/u01/app/oracle/admin/ORCL/dpdump"  # its path on the server (checksums)
    restore_schema: str = "EBOPS_RESTORE"  # Data Pump test import target (REMAP_SCHEMA); dropped first
    command_timeout_minutes: int = 240

    @model_validator(mode="after")
    def _scratch_schema_only(self) -> OracleBackupSettings:
        # The test import replaces the tables of restore_schema: never let it name the source or
        # another real schema.
        schema = self.restore_schema.upper()
        if not schema.startswith("EBOPS_RESTORE") or schema == self.schema_name.upper():
            raise ValueError(
                f"oracle.restore_schema must be a scratch schema named EBOPS_RESTORE..., not {self.restore_schema!r}"
                f" (the test import replaces its tables; the source is {self.schema_name!r})"
            )
        return self


class BackupSettings(Strict):
    method: Literal["pg_dump", "rman", "datapump"] = "pg_dump"
    source_conn_id: str | None = None  # empty: common.connections.ebill_dba
    schema_name: str = "ebill"
    core_tables: list[str] = Field(default_factory=lambda: list(CONTRACT_TABLES))
    # Local directory of the backup files. "{artifacts}" is the local path of common.artifacts_url
    # (when it is file://), "{home}" the project directory. Put it on another disk than the database.
    directory: str = "{artifacts}/backup"
    compress_level: int = 6
    dump_timeout_minutes: int = 120
    restore: RestoreSettings = Field(default_factory=RestoreSettings)
    size: SizeSettings = Field(default_factory=SizeSettings)
    retention: RetentionSettings = Field(default_factory=RetentionSettings)
    oracle: OracleBackupSettings = Field(default_factory=OracleBackupSettings)

    @field_validator("core_tables")
    @classmethod
    def _known_tables(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(CONTRACT_TABLES))
        if unknown:
            raise ValueError(
                f"core_tables outside the data contract: {unknown}; known: {list(CONTRACT_TABLES)}"
            )
        return value


def backup_settings() -> BackupSettings:
    from ebill_ops.config import section

    return section("backup", BackupSettings)
