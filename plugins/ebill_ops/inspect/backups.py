"""The inspection's view of backups: the catalogue ``ebill_backup_verify`` keeps in ebops.

Only a test restore proves a backup, so the age that counts is that of the last *verified* one;
a newest backup that failed verification is critical even when an older good one exists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from ebill_ops.inspect.findings import Finding


def assess(rows: Iterable[Mapping[str, Any]], now: dt.datetime, max_age_hours: float) -> list[Finding]:
    by_method: dict[str, list[Mapping[str, Any]]] = {}
    for r in rows:
        by_method.setdefault(str(r["method"]), []).append(r)
    if not by_method:
        return [
            Finding(
                "backup",
                "backup_age",
                "core data",
                None,
                "h",
                f"verified within {max_age_hours:g} h",
                "critical",
                "没有任何备份记录：确认 ebill_backup_verify 已启用并成功运行。 No backup catalogued: make sure ebill_backup_verify is enabled and succeeds.",
                "ebops.backup_catalog is empty",
            )
        ]
    out = []
    for method, entries in sorted(by_method.items()):
        entries = sorted(entries, key=lambda r: r["backup_date"], reverse=True)
        newest = entries[0]
        verified = [r for r in entries if r["status"] == "verified"]
        last_ok = max((r["verified_at"] or r["finished_at"] for r in verified), default=None)
        age = round((now - last_ok).total_seconds() / 3600, 1) if last_ok else None
        if newest["status"] == "failed":
            severity, advice = (
                "critical",
                "最近一次备份校验失败（缺失、截断或损坏）：立即重做备份并查看校验结论。 The newest backup failed verification (missing, truncated or corrupt): take a new backup now and read the verdict.",
            )
        elif age is None or age > max_age_hours:
            severity, advice = (
                "critical",
                "备份过期：最近一次通过恢复测试的备份太旧，检查备份作业。 Backup late: the last backup that passed a test restore is too old; check the backup DAG.",
            )
        else:
            severity, advice = "ok", "正常 ok"
        out.append(
            Finding(
                "backup",
                "backup_age",
                method,
                age,
                "h",
                f"verified within {max_age_hours:g} h",
                severity,  # type: ignore[arg-type]
                advice,
                f"newest {newest['backup_date']} {newest['status']}: {newest.get('verdict') or ''}"[:900]
                + (f"; file {newest['file_url']}" if newest.get("file_url") else ""),
            )
        )
    return out
