"""Pure judgements of a backup: file, size order, checksum, and the restored tables vs the source.

Every judgement is a ``Finding`` (category ``backup``) so the backup DAG, its mails and the daily
inspection speak the same language. A missing, truncated or corrupt backup is critical.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from ebill_ops.backup.settings import SizeSettings
from ebill_ops.inspect.findings import Finding


@dataclass(frozen=True)
class TableStat:
    rows: int
    amount: str | None  # exact decimal as text (JSON keeps it exact)
    content_hash: str | None

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> TableStat:
        amount = row.get("amount_total")
        return cls(
            int(row["row_count"]),
            None if amount is None else str(Decimal(str(amount)).quantize(Decimal("0.01"))),
            None if row.get("content_hash") is None else str(row["content_hash"]),
        )


def stats_by_table(rows: Iterable[Mapping[str, Any]]) -> dict[str, TableStat]:
    return {str(r["table_name"]): TableStat.of(r) for r in rows}


def stats_to_json(stats: Mapping[str, TableStat]) -> dict[str, dict[str, Any]]:
    return {name: asdict(s) for name, s in stats.items()}


def stats_from_json(data: Mapping[str, Mapping[str, Any]]) -> dict[str, TableStat]:
    return {
        name: TableStat(int(v["rows"]), v.get("amount"), v.get("content_hash")) for name, v in data.items()
    }


@dataclass(frozen=True)
class TableCheck:
    table_name: str
    source: TableStat | None
    restored: TableStat | None

    @property
    def matches(self) -> bool:
        if self.source is None or self.restored is None:
            return False
        same_hash = (
            self.source.content_hash is None
            or self.restored.content_hash is None
            or self.source.content_hash == self.restored.content_hash
        )
        return (
            self.source.rows == self.restored.rows
            and self.source.amount == self.restored.amount
            and same_hash
        )

    def differences(self) -> str:
        if self.source is None:
            return "no source figures recorded at backup time"
        if self.restored is None:
            return "table missing after the restore"
        diffs = []
        if self.source.rows != self.restored.rows:
            diffs.append(f"rows {self.source.rows} → {self.restored.rows}")
        if self.source.amount != self.restored.amount:
            diffs.append(f"amount {self.source.amount} → {self.restored.amount}")
        if (
            self.source.content_hash
            and self.restored.content_hash
            and self.source.content_hash != self.restored.content_hash
        ):
            diffs.append("content hash differs")
        return ", ".join(diffs)


def compare(
    source: Mapping[str, TableStat], restored: Mapping[str, TableStat], tables: Sequence[str]
) -> list[TableCheck]:
    return [TableCheck(t, source.get(t), restored.get(t)) for t in tables]


def table_findings(checks: Sequence[TableCheck]) -> list[Finding]:
    out = []
    for c in checks:
        ok = c.matches
        out.append(
            Finding(
                "backup",
                "backup_table",
                c.table_name,
                float(c.restored.rows) if c.restored else None,
                "rows",
                f"= source {c.source.rows if c.source else '?'} rows"
                + (f", amount {c.source.amount}" if c.source and c.source.amount is not None else ""),
                "ok" if ok else "critical",
                "正常 ok"
                if ok
                else "恢复结果与源库不一致：备份不可用于恢复，立即重做备份并排查（存储、传输、备份期间的变更）。"
                " The restore differs from the source: this backup cannot be trusted; take a new one and investigate.",
                "" if ok else c.differences(),
            )
        )
    return out


def file_finding(path: str, exists: bool, size: int | None) -> Finding:
    return Finding(
        "backup",
        "backup_file",
        path,
        float(size) if size is not None else None,
        "bytes",
        "exists",
        "ok" if exists else "critical",
        "正常 ok"
        if exists
        else "备份文件缺失：检查备份目录、磁盘与保留策略，立即重做备份。 Backup file missing: check the directory, the disk and retention; take a new backup.",
        "" if exists else "file not found",
    )


def size_finding(path: str, size: int, history: Iterable[int], settings: SizeSettings) -> Finding:
    """The size against the minimum and against the median of earlier verified backups."""
    earlier = [s for s in history if s and s > 0][: settings.history]
    median = statistics.median(earlier) if earlier else None
    ratio = size / median if median else None
    if size < settings.min_bytes:
        severity, why = "critical", f"smaller than the minimum {settings.min_bytes} bytes: truncated or empty"
    elif ratio is not None and not (1 / settings.critical_ratio <= ratio <= settings.critical_ratio):
        severity, why = "critical", f"{ratio:.2f} x the usual size: a different order of size"
    elif ratio is not None and not (1 / settings.warn_ratio <= ratio <= settings.warn_ratio):
        severity, why = "warning", f"{ratio:.2f} x the usual size"
    else:
        severity, why = (
            "ok",
            f"{ratio:.2f} x the usual size" if ratio is not None else "no earlier size to compare",
        )
    return Finding(
        "backup",
        "backup_size",
        path,
        float(size),
        "bytes",
        f"≥ {settings.min_bytes} bytes; within {settings.warn_ratio:g}x of the median of {len(earlier)} earlier",
        severity,  # type: ignore[arg-type]
        "正常 ok"
        if severity == "ok"
        else "备份大小异常：确认备份范围与数据量变化；过小多为截断。 Unusual size: check what was backed up and how the data changed; too small usually means truncated.",
        why + (f" (median {median:,.0f} bytes)" if median else ""),
    )


def checksum_finding(path: str, recorded: str | None, actual: str | None) -> Finding:
    ok = recorded is not None and actual is not None and recorded == actual
    return Finding(
        "backup",
        "backup_checksum",
        path,
        None,
        "",
        "sha256 = catalogue",
        "ok" if ok else "critical",
        "正常 ok"
        if ok
        else "校验和不一致：备份文件在写入后被改动或损坏，不能用于恢复。 Checksum mismatch: the file changed or was corrupted after it was written; it cannot be restored.",
        f"sha256 {actual}" if ok else f"catalogue {recorded or '-'} / file {actual or '-'}",
    )


def restore_finding(target: str, ok: bool, detail: str) -> Finding:
    return Finding(
        "backup",
        "backup_restore",
        target,
        None,
        "",
        "restores without error",
        "ok" if ok else "critical",
        "正常 ok"
        if ok
        else "恢复测试失败：备份不可用，查看错误，立即重做备份。 The test restore failed: the backup is not usable; read the error and take a new backup.",
        detail[:900],
    )


def run_finding(target: str, ok: bool, detail: str) -> Finding:
    return Finding(
        "backup",
        "backup_run",
        target,
        None,
        "",
        "completes without error",
        "ok" if ok else "critical",
        "正常 ok"
        if ok
        else "备份命令失败：查看输出中的错误号，修复后重跑本工作流。 The backup command failed: read its errors, fix, re-run the DAG.",
        detail[:900],
    )


def verdict(findings: Sequence[Finding]) -> tuple[str, str]:
    """Catalogue status and a one-line verdict: verified only when nothing is critical."""
    critical = [f for f in findings if f.severity == "critical"]
    if critical:
        return "failed", "; ".join(f"{f.check} {f.target}: {f.detail}" for f in critical)[:1000]
    warnings = [f for f in findings if f.severity == "warning"]
    text = "test restore matches the source" + (
        " (warnings: " + "; ".join(f"{f.check}: {f.detail}" for f in warnings) + ")" if warnings else ""
    )
    return "verified", text[:1000]
