"""What must change in the database for a target year, and what is skipped and why.

Pure: a catalogue and the settings in, a ``Plan`` out. The plan only contains what is still to
do, so planning again after an apply gives an empty plan (idempotent), and a partly applied plan
continues where it stopped. Order: tablespace, partitions, compression, read-only tablespaces.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from ebill_ops.sql import Dialect
from ebill_ops.yearend import ddl
from ebill_ops.yearend.catalog import Catalog, Partition, Table
from ebill_ops.yearend.settings import YearEndSettings, cutoff, size_bytes

StepKind = Literal["tablespace", "partition", "compress", "read_only"]


@dataclass(frozen=True)
class Step:
    step_id: str  # stable across runs: "partition:EBILL.BILL:BILL_Y2027"
    kind: StepKind
    object_name: str
    statements: tuple[str, ...]
    reason: str
    table: str | None = None
    owner: str | None = None
    partition: str | None = None
    low: str | None = None  # bounds of a new partition (ISO), for verification
    high: str | None = None
    estimated_bytes: int | None = None
    count_rows: bool = False  # compare row counts before and after (old partitions: no inserts)
    tablespace: str | None = None
    source_partition: str | None = None  # a split: the MAXVALUE partition the rows come from

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["statements"] = list(self.statements)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Step:
        return cls(**{**data, "statements": tuple(data["statements"])})


@dataclass(frozen=True)
class Skip:
    kind: str
    object_name: str
    reason: str


@dataclass
class Plan:
    dialect: Dialect
    target_year: int
    as_of: str
    steps: list[Step] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    estimates: dict[str, Any] = field(default_factory=dict)

    @property
    def statements(self) -> list[str]:
        return [s for step in self.steps for s in step.statements]

    def fingerprint(self) -> list[list[Any]]:
        """What an approval covers: every step and its exact statements."""
        return [[step.step_id, list(step.statements)] for step in self.steps]

    def to_dict(self) -> dict[str, Any]:
        return {
            "dialect": self.dialect,
            "target_year": self.target_year,
            "as_of": self.as_of,
            "steps": [s.to_dict() for s in self.steps],
            "skipped": [asdict(s) for s in self.skipped],
            "warnings": list(self.warnings),
            "estimates": self.estimates,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        return cls(
            dialect=data["dialect"],
            target_year=int(data["target_year"]),
            as_of=data["as_of"],
            steps=[Step.from_dict(s) for s in data["steps"]],
            skipped=[Skip(**s) for s in data["skipped"]],
            warnings=list(data["warnings"]),
            estimates=dict(data["estimates"]),
        )


def digest(*parts: Any) -> str:
    """16 hex characters over canonical JSON: short enough to type, long enough never to collide."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def periods(year: int, granularity: str) -> list[tuple[dt.datetime, dt.datetime]]:
    """The [low, high) periods of a year: one, or twelve months."""
    if granularity == "yearly":
        return [(dt.datetime(year, 1, 1), dt.datetime(year + 1, 1, 1))]
    out = []
    for month in range(1, 13):
        low = dt.datetime(year, month, 1)
        high = dt.datetime(year + (month == 12), month % 12 + 1, 1)
        out.append((low, high))
    return out


def partition_name(settings: YearEndSettings, table: str, low: dt.datetime) -> str:
    pattern = settings.partitions.name_yearly
    if settings.partitions.granularity == "monthly":
        pattern = settings.partitions.name_monthly
    return pattern.format(table=table, year=low.year, month=low.month)


def tablespace_name(settings: YearEndSettings, year: int) -> str:
    return settings.tablespace.name.format(year=year)


def build_plan(catalog: Catalog, settings: YearEndSettings, target_year: int, *, as_of: dt.date) -> Plan:
    plan = Plan(dialect=catalog.dialect, target_year=target_year, as_of=as_of.isoformat())
    year_tablespace = _plan_tablespace(plan, catalog, settings, target_year)
    for spec in settings.partitions.tables:
        owner = catalog.name(settings.table_owner(spec))
        table = catalog.table(owner, spec.name)
        if table is None:
            plan.skipped.append(
                Skip("partition", f"{owner}.{catalog.name(spec.name)}", "表不存在 table not found")
            )
            plan.warnings.append(
                f"{owner}.{catalog.name(spec.name)}: table not found; check yearend.partitions.tables"
            )
            continue
        if _plannable(plan, table):
            _plan_partitions(plan, catalog, settings, table, target_year, year_tablespace)
    _estimate(plan, catalog, settings, target_year, as_of)
    if settings.compression.enabled:
        for spec in settings.partitions.tables:
            table = catalog.table(settings.table_owner(spec), spec.name)
            if table is not None and table.partitioning == "RANGE":
                _plan_compression(plan, catalog, settings, table, target_year)
    _plan_read_only(plan, catalog, settings, target_year)
    return plan


# --- tablespace -----------------------------------------------------------------------------


def _plan_tablespace(plan: Plan, catalog: Catalog, settings: YearEndSettings, year: int) -> str | None:
    """Plan the year's tablespace; returns its name when new partitions should go there."""
    ts = settings.tablespace
    if catalog.dialect == "postgresql":
        if not ts.pg_location:
            plan.skipped.append(
                Skip(
                    "tablespace",
                    "-",
                    "未配置 PostgreSQL 表空间 no PostgreSQL tablespace configured (yearend.tablespace.pg_location): "
                    "partitions go to their table's tablespace",
                )
            )
            return None
        name = catalog.name(tablespace_name(settings, year))
        if name in catalog.tablespaces:
            plan.skipped.append(Skip("tablespace", name, "已存在 exists"))
            return name
        location = ts.pg_location.format(year=year)
        plan.steps.append(
            Step(
                step_id=f"tablespace:{name}",
                kind="tablespace",
                object_name=name,
                statements=(ddl.postgres_create_tablespace(name, location),),
                reason=f"{year}年表空间 tablespace of {year} at {location} (the directory must exist, "
                "owned by the server's OS user; CREATE TABLESPACE needs a superuser; "
                "size/autoextend do not apply to PostgreSQL)",
            )
        )
        return name
    name = catalog.name(tablespace_name(settings, year))
    if not ts.create:
        plan.skipped.append(Skip("tablespace", name, "配置为不创建 yearend.tablespace.create is false"))
        return name if name in catalog.tablespaces else None
    existing = catalog.tablespaces.get(name)
    if existing is not None:
        plan.skipped.append(Skip("tablespace", name, f"已存在 exists ({existing.status})"))
        return name
    statement = ddl.oracle_create_tablespace(
        name,
        bigfile=ts.bigfile,
        size=ts.size,
        autoextend=ts.autoextend,
        next_size=ts.next,
        maxsize=ts.maxsize,
        datafile_dir=ts.datafile_dir,
    )
    plan.steps.append(
        Step(
            step_id=f"tablespace:{name}",
            kind="tablespace",
            object_name=name,
            statements=(statement,),
            reason=f"{year}年数据表空间 tablespace for the data of {year}",
            estimated_bytes=size_bytes(ts.size),
        )
    )
    return name


# --- partitions -----------------------------------------------------------------------------


def _plannable(plan: Plan, table: Table) -> bool:
    label = f"{table.owner}.{table.name}"
    if table.unparsed:
        plan.warnings.append(f"{label}: bounds not understood, left alone: {'; '.join(table.unparsed)[:300]}")
    if table.partitioning is None:
        plan.skipped.append(Skip("partition", label, "未分区 not partitioned: nothing to add"))
        plan.warnings.append(f"{label}: not partitioned; year-end partitions need a range-partitioned table")
        return False
    if table.partitioning != "RANGE":
        plan.skipped.append(
            Skip("partition", label, f"{table.partitioning} 分区 partitioning has no date periods")
        )
        return False
    if table.interval:
        plan.skipped.append(
            Skip(
                "partition",
                label,
                f"间隔分区 interval-partitioned ({table.interval}): the database creates next year's "
                "partitions on first insert; ADD PARTITION is refused, none needed",
            )
        )
        return False
    if not table.range_partitions:
        plan.skipped.append(Skip("partition", label, "没有可识别的分区 no date-range partition understood"))
        return False
    return True


def _needed_periods(
    table: Table, settings: YearEndSettings, year: int
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The target year's periods, plus any period missing between the highest bound and the year."""
    start = dt.datetime(year, 1, 1)
    highest = table.highest_bound
    wanted = periods(year, settings.partitions.granularity)
    if highest is None or highest >= start:
        return wanted
    catch_up: list[tuple[dt.datetime, dt.datetime]] = []
    for y in range(highest.year, year):
        for low, high in periods(y, settings.partitions.granularity):
            if high <= highest:
                continue
            catch_up.append((max(low, highest), high))
    return catch_up + wanted


def _plan_partitions(
    plan: Plan, catalog: Catalog, settings: YearEndSettings, table: Table, year: int, year_ts: str | None
) -> None:
    dialect = catalog.dialect
    label = f"{table.owner}.{table.name}"
    default = next((p for p in table.partitions if p.is_default), None)
    estimate = _period_estimate(catalog, table, settings, year)
    for low, high in _needed_periods(table, settings, year):
        name = catalog.name(partition_name(settings, table.name.lower(), low))
        period = f"[{low:%Y-%m-%d}, {high:%Y-%m-%d})"
        same = next((p for p in table.range_partitions if p.high == high and p.low == low), None)
        if same is not None:
            plan.skipped.append(Skip("partition", f"{label}.{same.name}", f"已存在 exists {period}"))
            continue
        taken = table.partition(name)
        if taken is not None:
            plan.skipped.append(
                Skip("partition", f"{label}.{name}", "名称已被占用 name taken by other bounds")
            )
            plan.warnings.append(f"{label}.{name} exists with other bounds than {period}: resolve by hand")
            continue
        holder = next((p for p in table.range_partitions if p.covers(low)), None)
        ts = year_ts if low.year == year else _existing_year_tablespace(catalog, settings, low.year)
        step_id = f"partition:{label}:{name}"
        if holder is not None and holder.high is None:
            if dialect == "oracle":
                plan.steps.append(
                    Step(
                        step_id=step_id,
                        kind="partition",
                        object_name=name,
                        statements=(
                            ddl.oracle_split_partition(
                                table.owner, table.name, holder.name, high, name, ts, table.key_kind
                            ),
                        ),
                        reason=f"{period} 从 MAXVALUE 分区拆分 split off the MAXVALUE partition {holder.name}",
                        table=table.name,
                        owner=table.owner,
                        partition=name,
                        low=(holder.low or low).isoformat(),
                        high=high.isoformat(),
                        estimated_bytes=estimate,
                        count_rows=True,
                        tablespace=ts,
                        source_partition=holder.name,
                    )
                )
                continue
            plan.skipped.append(
                Skip("partition", f"{label}.{name}", f"被 {holder.name} (TO MAXVALUE) 覆盖 covered")
            )
            plan.warnings.append(
                f"{label}: partition {holder.name} runs to MAXVALUE; PostgreSQL cannot split it: detach it, "
                f"create {name} {period}, move its rows and re-attach, by hand"
            )
            continue
        if holder is not None or any(
            p.covers(high - dt.timedelta(seconds=1)) for p in table.range_partitions
        ):
            owner_name = holder.name if holder else "another partition"
            plan.skipped.append(
                Skip(
                    "partition", f"{label}.{name}", f"已被 {owner_name} 覆盖 covered by {owner_name} {period}"
                )
            )
            continue
        if dialect == "oracle":
            statement = ddl.oracle_add_partition(table.owner, table.name, name, high, ts, table.key_kind)
        else:
            statement = ddl.postgres_create_partition(table.owner, table.name, name, low, high, ts)
            if default is not None:
                plan.warnings.append(
                    f"{label}: default partition {default.name} exists; PostgreSQL scans it when {name} is "
                    "created and refuses if it holds rows of the new range (move them first)"
                )
        reason = f"{low.year}年分区 partition for {period}"
        if low.year != year:
            reason += " (补建 catch-up: this period has no partition yet)"
        plan.steps.append(
            Step(
                step_id=step_id,
                kind="partition",
                object_name=name,
                statements=(statement,),
                reason=reason,
                table=table.name,
                owner=table.owner,
                partition=name,
                low=low.isoformat(),
                high=high.isoformat(),
                estimated_bytes=estimate,
                tablespace=ts,
            )
        )


def _existing_year_tablespace(catalog: Catalog, settings: YearEndSettings, year: int) -> str | None:
    name = catalog.name(tablespace_name(settings, year))
    if catalog.dialect == "postgresql" and not settings.tablespace.pg_location:
        return None
    return name if name in catalog.tablespaces else None


def _period_estimate(catalog: Catalog, table: Table, settings: YearEndSettings, year: int) -> int | None:
    """Bytes a new period will need: the last complete year's partitions, per period."""
    last_year = [
        p
        for p in table.range_partitions
        if p.low is not None
        and p.high is not None
        and p.low.year == year - 2
        and p.high <= dt.datetime(year - 1, 1, 1)
    ]
    sizes = [catalog.partition_bytes(table.owner, table.name, p.name) for p in last_year]
    known = [s for s in sizes if s is not None]
    if not known:
        return None
    per_year = sum(known) * settings.tablespace.growth_factor
    return int(per_year / len(periods(year, settings.partitions.granularity)))


# --- compression ----------------------------------------------------------------------------


def _plan_compression(
    plan: Plan, catalog: Catalog, settings: YearEndSettings, table: Table, year: int
) -> None:
    before = dt.datetime.combine(cutoff(year, settings.compression.older_than_years), dt.time())
    want = settings.compression.oracle_type.upper()
    label = f"{table.owner}.{table.name}"
    for part in table.range_partitions:
        if part.high is None or part.high > before:
            continue
        obj = f"{label}.{part.name}"
        size = catalog.partition_bytes(table.owner, table.name, part.name)
        if catalog.dialect == "postgresql":
            if ddl.COMPACT_MARKER in part.options:
                plan.skipped.append(Skip("compress", obj, "已整理 already compacted (fillfactor=100 set)"))
                continue
            statements = tuple(ddl.postgres_compact_partition(table.owner, part.name))
            reason = (
                f"早于 {before:%Y-%m-%d} 的旧数据 data older than {before:%Y-%m-%d}: rewrite densely and freeze "
                "(PostgreSQL has no row-store compression)"
            )
        else:
            skip = _oracle_compressed(part, want)
            if skip:
                plan.skipped.append(Skip("compress", obj, skip))
                continue
            space = catalog.tablespaces.get(part.tablespace or "")
            if space is not None and space.status == "READ ONLY":
                plan.skipped.append(Skip("compress", obj, f"表空间只读 tablespace {space.name} is READ ONLY"))
                plan.warnings.append(
                    f"{obj} is not compressed but its tablespace {space.name} is read-only: "
                    "make it READ WRITE first if it should be compressed"
                )
                continue
            statements = (
                ddl.oracle_compress_partition(
                    table.owner, table.name, part.name, want, settings.compression.online
                ),
            )
            reason = f"早于 {before:%Y-%m-%d} 的旧数据 data older than {before:%Y-%m-%d}: ROW STORE COMPRESS {want}"
        plan.steps.append(
            Step(
                step_id=f"compress:{label}:{part.name}",
                kind="compress",
                object_name=part.name,
                statements=statements,
                reason=reason,
                table=table.name,
                owner=table.owner,
                partition=part.name,
                estimated_bytes=size,
                count_rows=True,
                tablespace=part.tablespace,
            )
        )


def _oracle_compressed(part: Partition, want: str) -> str | None:
    """Why an Oracle partition needs no compression step, or None when it does."""
    if (part.compression or "").upper() != "ENABLED":
        return None
    current = (part.compress_for or "").upper()
    if current == want:
        return f"已压缩 already compressed ({current})"
    if want == "ADVANCED" and current == "BASIC":
        return None
    return f"已压缩 already compressed ({current}); not changed"


# --- read-only tablespaces ------------------------------------------------------------------


def _plan_read_only(plan: Plan, catalog: Catalog, settings: YearEndSettings, year: int) -> None:
    if not settings.read_only.enabled:
        return
    if catalog.dialect == "postgresql":
        plan.skipped.append(
            Skip(
                "read_only",
                "-",
                "PostgreSQL 无只读表空间 PostgreSQL has no read-only tablespaces: not applicable",
            )
        )
        return
    before = cutoff(year, settings.read_only.older_than_years)
    pattern = re.compile(
        "^" + re.escape(catalog.name(settings.tablespace.name)).replace(re.escape("{YEAR}"), r"(\d{4})") + "$"
    )
    newest: dict[str, dt.datetime | None] = {}
    for table in catalog.tables.values():
        for part in table.partitions:
            if part.tablespace:
                top = newest.get(part.tablespace, dt.datetime.min)
                newest[part.tablespace] = None if part.high is None or top is None else max(top, part.high)
    for name, space in sorted(catalog.tablespaces.items()):
        found = pattern.match(name)
        if not found or int(found.group(1)) >= before.year:
            continue
        if space.status == "READ ONLY":
            plan.skipped.append(Skip("read_only", name, "已只读 already READ ONLY"))
            continue
        top = newest.get(name, dt.datetime.min)
        if top is None or top > dt.datetime.combine(before, dt.time()):
            plan.skipped.append(Skip("read_only", name, "含较新的分区 holds newer partitions"))
            plan.warnings.append(f"{name} holds partitions newer than {before}: not made read-only")
            continue
        plan.steps.append(
            Step(
                step_id=f"read_only:{name}",
                kind="read_only",
                object_name=name,
                statements=(ddl.oracle_read_only(name),),
                reason=f"{found.group(1)}年旧数据表空间设为只读 old data: read-only (back it up once more afterwards; "
                "check that no other segment in it is still written)",
                tablespace=name,
            )
        )


# --- size estimate --------------------------------------------------------------------------


def _estimate(plan: Plan, catalog: Catalog, settings: YearEndSettings, year: int, as_of: dt.date) -> None:
    """Next year's size from the current year so far, extrapolated to a full year, with headroom."""
    current = year - 1
    start, end = dt.date(current, 1, 1), dt.date(year, 1, 1)
    elapsed = (min(max(as_of, start), end) - start).days / (end - start).days
    tables: dict[str, Any] = {}
    need = 0
    for spec in settings.partitions.tables:
        table = catalog.table(settings.table_owner(spec), spec.name)
        if table is None:
            continue
        lo, hi = dt.datetime(current, 1, 1), dt.datetime(year, 1, 1)
        this_year = [p for p in table.range_partitions if p.low is not None and lo <= p.low < hi]
        sizes = [catalog.partition_bytes(table.owner, table.name, p.name) for p in this_year]
        so_far = sum(s for s in sizes if s is not None)
        if not this_year or elapsed < 0.05:
            tables[table.name] = {"current_year_bytes": so_far or None, "projected_next_year_bytes": None}
            continue
        projected = int(so_far / elapsed * settings.tablespace.growth_factor)
        tables[table.name] = {"current_year_bytes": so_far, "projected_next_year_bytes": projected}
        need += projected
    plan.estimates = {
        "tables": tables,
        "elapsed_share_of_year": round(elapsed, 3),
        "next_year_need_bytes": need,
    }
    if catalog.dialect == "oracle":
        ts = settings.tablespace
        capacity = size_bytes(ts.maxsize) if ts.autoextend else size_bytes(ts.size)
        plan.estimates["tablespace_size_bytes"] = size_bytes(ts.size)
        plan.estimates["tablespace_max_bytes"] = capacity
        if capacity is not None and need > capacity:
            plan.warnings.append(
                f"next year needs about {need / 2**30:.1f} GiB but the tablespace can hold "
                f"{capacity / 2**30:.1f} GiB: raise yearend.tablespace.maxsize/size"
            )


def days_in_year(year: int) -> int:
    return 366 if calendar.isleap(year) else 365
