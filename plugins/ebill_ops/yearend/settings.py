"""The ``yearend`` section of the settings file; defaults suit the sandbox.

Sizes are Oracle size literals (``10G``, ``512M``, ``UNLIMITED``) because Oracle is where they
matter; PostgreSQL has no data-file sizes and reports them as not applicable.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from ebill_ops.config import Strict

SIZE = re.compile(r"^\d+[KMGT]?$")
UNITS = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}
# A smallfile data file holds at most 4M blocks: 32 GiB with 8 KiB blocks.
SMALLFILE_MAX_BYTES = 32 * 2**30


def size_bytes(text: str) -> int | None:
    """``"10G"`` -> bytes; ``"UNLIMITED"`` -> None."""
    if text.upper() == "UNLIMITED":
        return None
    unit = text[-1].upper() if text[-1].isalpha() else ""
    return int(text[: len(text) - len(unit)]) * UNITS[unit]


class TableSpec(Strict):
    """A range-partitioned table of the contract, by its real name on the site."""

    name: str
    # Oracle owner / PostgreSQL schema; empty: the section's ``owner``.
    owner: str | None = None


class TablespaceSettings(Strict):
    create: bool = True
    # Name of the year's tablespace; ``{year}`` is the target year.
    name: str = "EBILL_DATA_{year}"
    bigfile: bool = True
    size: str = "10G"
    autoextend: bool = True
    next: str = "1G"
    maxsize: str = "UNLIMITED"
    # Directory of the data file; empty: Oracle-managed files (DB_CREATE_FILE_DEST).
    datafile_dir: str | None = None
    # PostgreSQL: directory on the database server for the year's tablespace (``{year}`` allowed);
    # empty: no tablespace, partitions go to the table's tablespace. Needs a superuser.
    pg_location: str | None = None
    # Headroom over the size the current year is heading for, in the size estimate.
    growth_factor: float = 1.2

    @field_validator("size", "next")
    @classmethod
    def _size(cls, value: str) -> str:
        if not SIZE.match(value.upper()):
            raise ValueError(f"{value!r} is not an Oracle size such as 10G or 512M")
        return value.upper()

    @field_validator("maxsize")
    @classmethod
    def _maxsize(cls, value: str) -> str:
        if value.upper() != "UNLIMITED" and not SIZE.match(value.upper()):
            raise ValueError(f"{value!r} is not an Oracle size such as 100G, or UNLIMITED")
        return value.upper()

    @model_validator(mode="after")
    def _smallfile_limit(self) -> TablespaceSettings:
        if not self.bigfile:
            limit = size_bytes(self.maxsize) if self.autoextend else size_bytes(self.size)
            if limit is None or limit > SMALLFILE_MAX_BYTES or size_bytes(self.size) > SMALLFILE_MAX_BYTES:
                raise ValueError(
                    "a smallfile tablespace has one data file of at most 32G (8K blocks): "
                    "set bigfile: true, or size/maxsize <= 32G"
                )
        return self


class PartitionSettings(Strict):
    granularity: Literal["yearly", "monthly"] = "yearly"
    # Partition names; {table} is the table name, {year} and {month} the period.
    name_yearly: str = "{table}_y{year}"
    name_monthly: str = "{table}_y{year}m{month:02d}"
    tables: list[TableSpec] = Field(
        default_factory=lambda: [
            TableSpec(name="bill"),
            TableSpec(name="bill_item"),
            TableSpec(name="bill_payment"),
        ]
    )


class CompressionSettings(Strict):
    enabled: bool = True
    # Partitions whose data is all older than this many years on 1 January of the target year.
    older_than_years: int = Field(default=2, ge=1)
    # Oracle: BASIC is in Enterprise Edition; ADVANCED needs the Advanced Compression option.
    oracle_type: Literal["basic", "advanced"] = "basic"
    advanced_compression_licensed: bool = False
    # Oracle: MOVE PARTITION ... ONLINE (Enterprise Edition 12.2+) keeps DML possible meanwhile.
    online: bool = False

    @model_validator(mode="after")
    def _advanced_needs_licence(self) -> CompressionSettings:
        if self.oracle_type == "advanced" and not self.advanced_compression_licensed:
            raise ValueError(
                "ROW STORE COMPRESS ADVANCED needs the Advanced Compression option: set "
                "advanced_compression_licensed: true only if the site holds that licence"
            )
        return self


class ReadOnlySettings(Strict):
    """Oracle only: make the year tablespaces of old data read-only (backups skip them)."""

    enabled: bool = False
    older_than_years: int = Field(default=2, ge=1)


class LayoutSettings(Strict):
    enabled: bool = True
    transport: Literal["local", "ssh"] = "local"
    # Layout root: a local path (``{home}`` is the project directory) or, over SSH, a path on the
    # file server. The sandbox's file server is <sandbox dir>/files/layout.
    root: str = "{home}/.sandbox/default/files/layout"
    ssh_conn_id: str = "ebill_ssh_sandbox"
    # Where archives go, relative to the root (kept inside it so one path serves both).
    archive_dir: str = "_archive"
    older_than_years: int = Field(default=2, ge=1)
    group_by: Literal["month", "year"] = "month"
    compresslevel: int = Field(default=6, ge=1, le=9)
    # Connection that may update the layout-file index (archive_path, archived_time).
    index_conn_id: str | None = None  # empty: common.connections.ebill_dba
    command_timeout_seconds: int = 900

    @field_validator("archive_dir")
    @classmethod
    def _relative(cls, value: str) -> str:
        if value.startswith("/") or ".." in value.split("/") or not value.strip("/"):
            raise ValueError("archive_dir must be a relative directory inside the layout root")
        return value.strip("/")


class ApprovalSettings(Strict):
    # Airflow user ids allowed to answer the approval in the UI; empty: anyone who may edit the DAG.
    approvers: list[str] = Field(default_factory=list)
    timeout_hours: int = Field(default=72, ge=1)


class YearEndSettings(Strict):
    # Oracle owner / PostgreSQL schema of the partitioned tables.
    owner: str = "ebill"
    tablespace: TablespaceSettings = Field(default_factory=TablespaceSettings)
    partitions: PartitionSettings = Field(default_factory=PartitionSettings)
    compression: CompressionSettings = Field(default_factory=CompressionSettings)
    read_only: ReadOnlySettings = Field(default_factory=ReadOnlySettings)
    layout: LayoutSettings = Field(default_factory=LayoutSettings)
    approval: ApprovalSettings = Field(default_factory=ApprovalSettings)
    # Seconds a DDL statement waits for a lock before failing (instead of queueing production).
    lock_timeout_seconds: int = Field(default=30, ge=1)
    # Readiness: a point needs next year's stock of every e-bill kind it issued in these many days.
    readiness_recent_days: int = Field(default=90, ge=1)

    def table_owner(self, spec: TableSpec) -> str:
        return spec.owner or self.owner


def cutoff(target_year: int, older_than_years: int) -> dt.date:
    """Data before this day is "older than N years" on 1 January of the target year.

    For 2027 and two years: 2025-01-01, so 2023 and 2024 are old, 2025 and 2026 are not.
    """
    return dt.date(target_year - older_than_years, 1, 1)
