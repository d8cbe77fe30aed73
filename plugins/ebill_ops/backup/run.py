"""The backup DAG's tasks: take the backup, verify it, apply retention, tell people.

A backup is always of the data as it is *now*: a run for an earlier day (a backfill, a re-run)
does not take a new backup but re-verifies the one catalogued for that day.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

from ebill_ops import alerts, db, incidents
from ebill_ops.backup import catalog, checks, files, oracle, pg
from ebill_ops.backup.settings import BackupSettings, backup_settings
from ebill_ops.config import common
from ebill_ops.inspect.findings import Finding, counts
from ebill_ops.intervals import local_now

log = logging.getLogger(__name__)

DAG_ID = "ebill_backup_verify"
CATALOG = "ebops_db: ebops.backup_catalog, ebops.backup_table_check"


def _conn(settings: BackupSettings) -> str:
    return settings.source_conn_id or common().connections.ebill_dba


def _restore_conn(settings: BackupSettings) -> str:
    return settings.restore.conn_id or common().connections.ebill_dba


def is_current(backup_date: dt.date, now: dt.datetime | None = None) -> bool:
    """Today's (or, just after midnight, yesterday's) backup may be taken; older days only verified."""
    today = (now or local_now()).date()
    return today - dt.timedelta(days=1) <= backup_date <= today


# --------------------------------------------------------------------------------------------
# take
# --------------------------------------------------------------------------------------------


def take(backup_date: dt.date, settings: BackupSettings | None = None) -> dict[str, Any]:
    """Run the configured backup and catalogue it with its checksum (status ``created``)."""
    settings = settings or backup_settings()
    if settings.method == "pg_dump":
        return _take_pg(backup_date, settings)
    return _take_oracle(backup_date, settings)


def _take_pg(backup_date: dt.date, settings: BackupSettings) -> dict[str, Any]:
    path = files.dump_path(settings, "pg_dump", backup_date)
    started = local_now()
    result = pg.dump(
        _conn(settings),
        settings.schema_name,
        settings.core_tables,
        path,
        compress_level=settings.compress_level,
        timeout_minutes=settings.dump_timeout_minutes,
    )
    size = path.stat().st_size
    digest = files.sha256_of(path)
    with db.connect(common().connections.ebops_db, read_only=False) as ops:
        catalog.record(
            ops,
            backup_date=backup_date,
            method="pg_dump",
            file_url=path.as_uri(),
            size_bytes=size,
            sha256=digest,
            started_at=started,
            finished_at=local_now(),
            status="created",
            verdict=f"pg_dump of {len(result.relations)} relation(s), server {result.server_version}",
            stats=result.stats,
        )
    return {
        "backup_date": backup_date.isoformat(),
        "method": "pg_dump",
        "file_url": path.as_uri(),
        "size_bytes": size,
        "sha256": digest,
        "rows": {t: s.rows for t, s in result.stats.items()},
    }


def _ssh(settings: BackupSettings) -> tuple[Any, Any]:
    from airflow.providers.ssh.hooks.ssh import SSHHook

    hook = SSHHook(
        ssh_conn_id=settings.oracle.ssh_conn_id,
        cmd_timeout=settings.oracle.command_timeout_minutes * 60,
        conn_retry_attempts=2,
    )
    return hook, hook.get_conn()


def _remote(hook: Any, client: Any, command: str, timeout_s: float) -> tuple[int, str]:
    status, out, err = hook.exec_ssh_client_command(
        client, command, get_pty=False, environment=None, timeout=timeout_s
    )
    return status, out.decode("utf-8", "replace") + err.decode("utf-8", "replace")


def _stats_at(src: db.Db, table: str, scn: int) -> list[dict[str, Any]]:
    """A core table's figures as of ``scn`` (Oracle's ``AS OF SCN``; the PostgreSQL twin has none)."""
    from ebill_ops.inspect.database import bind

    text = src.sql(f"backup/stats/{table}")
    return src.rows_sql(text, bind(text, {"scn": scn}))


def _take_oracle(backup_date: dt.date, settings: BackupSettings) -> dict[str, Any]:
    """RMAN or Data Pump on the database server over SSH; the figures of the source from the DB."""
    method, ora = settings.method, settings.oracle
    started = local_now()
    timeout = ora.command_timeout_minutes * 60
    with db.connect(_conn(settings)) as src:
        scn = int(src.one("backup/current_scn")["scn"])
        stats = checks.stats_by_table(
            row for table in settings.core_tables for row in _stats_at(src, table, scn)
        )
    hook, client = _ssh(settings)
    try:
        if method == "rman":
            tag = oracle.tag_for(backup_date.isoformat())
            status, output = _remote(hook, client, oracle.rman_backup_command(ora, tag), timeout)
            parsed = oracle.parse_rman(output, status, expect="backup")
            keys = ",".join(str(k) for k in parsed.backupset_keys)
            file_url, digest, size = f"rman:{tag}#{keys}", None, None
            detail = f"backup sets {parsed.backupset_keys}"
        else:
            command, dump_file, _ = oracle.datapump_export_command(
                ora, backup_date.isoformat(), settings.core_tables, scn
            )
            status, output = _remote(hook, client, command, timeout)
            parsed = oracle.parse_datapump(output, status)
            file_url = f"{ora.datapump_path.rstrip('/')}/{dump_file}"
            digest = oracle.parse_sha256sum(
                _remote(hook, client, oracle.checksum_command(ora, dump_file), 600)[1]
            )
            size_text = _remote(hook, client, oracle.size_command(ora, dump_file), 60)[1].strip()
            size = int(size_text) if size_text.isdigit() else None
            detail = f"exported rows {parsed.rows}"
    finally:
        client.close()
    errors = "; ".join(parsed.errors) or "did not finish"
    with db.connect(common().connections.ebops_db, read_only=False) as ops:
        catalog.record(
            ops,
            backup_date=backup_date,
            method=method,
            file_url=file_url,
            size_bytes=size,
            sha256=digest,
            started_at=started,
            finished_at=local_now(),
            status="created" if parsed.ok else "failed",
            verdict=detail[:1000] if parsed.ok else f"{method} failed: {errors}",
            stats=stats,
        )
    if not parsed.ok:
        raise RuntimeError(
            f"{method} failed on the database server: {'; '.join(parsed.errors[:5]) or 'did not finish'}"
        )
    return {
        "backup_date": backup_date.isoformat(),
        "method": method,
        "file_url": file_url,
        "size_bytes": size,
    }


# --------------------------------------------------------------------------------------------
# verify
# --------------------------------------------------------------------------------------------


def verify(backup_date: dt.date, settings: BackupSettings | None = None) -> dict[str, Any]:
    """Prove the day's backup and record the verdict; returns the findings (small) and status."""
    settings = settings or backup_settings()
    method = settings.method
    with db.connect(common().connections.ebops_db) as ops:
        found = catalog.entry(ops, backup_date, method)
        earlier = catalog.history(ops, backup_date, method)
    if found is None:
        findings = [
            Finding(
                "backup",
                "backup_file",
                f"{method} {backup_date}",
                None,
                "",
                "catalogued",
                "critical",
                "当日备份缺失：备份任务未运行或失败，查看 take_backup 的日志并重跑。 No backup for the day: take_backup did not run or failed; read its log and re-run.",
                "no catalogue entry",
            )
        ]
        return _conclude_verify(backup_date, method, findings, [], record=False)
    sizes = [int(e["size_bytes"]) for e in earlier if e["status"] == "verified" and e.get("size_bytes")]
    if method == "pg_dump":
        findings, table_checks = _verify_pg(found, sizes, settings)
    else:
        findings, table_checks = _verify_oracle(found, sizes, settings)
    return _conclude_verify(backup_date, method, findings, table_checks)


def _verify_pg(
    entry: dict[str, Any], sizes: list[int], settings: BackupSettings
) -> tuple[list[Finding], list]:
    path = files.local_path(entry["file_url"])
    name = path.name
    if not path.is_file():
        return [checks.file_finding(str(path), False, None)], []
    size = path.stat().st_size
    findings = [
        checks.file_finding(str(path), True, size),
        checks.size_finding(name, size, sizes, settings.size),
        checks.checksum_finding(name, entry.get("sha256"), files.sha256_of(path)),
    ]
    if any(f.severity == "critical" for f in findings):
        return findings, []  # a changed or truncated file is not worth a restore: the verdict is known
    try:
        toc = pg.list_contents(path)
        restored = pg.test_restore(
            path,
            _restore_conn(settings),
            settings.restore.database,
            settings.schema_name,
            settings.core_tables,
            timeout_minutes=settings.restore.timeout_minutes,
            keep_on_failure=settings.restore.keep_on_failure,
        )
    except Exception as exc:
        detail = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        return [*findings, checks.restore_finding(settings.restore.database, False, detail)], []
    findings.append(
        checks.restore_finding(settings.restore.database, True, f"{len(toc)} archive entries restored")
    )
    table_checks = checks.compare(entry["stats"], restored, settings.core_tables)
    return findings + checks.table_findings(table_checks), table_checks


def _verify_oracle(
    entry: dict[str, Any], sizes: list[int], settings: BackupSettings
) -> tuple[list[Finding], list]:
    ora = settings.oracle
    timeout = ora.command_timeout_minutes * 60
    findings: list[Finding] = []
    table_checks: list = []
    hook, client = _ssh(settings)
    try:
        if settings.method == "rman":
            tag, _, key_text = str(entry["file_url"]).removeprefix("rman:").partition("#")
            keys = [int(k) for k in re.findall(r"\d+", key_text)]
            if not keys:
                return [checks.restore_finding(tag, False, "no backup set recorded for the tag")], []
            status, output = _remote(hook, client, oracle.rman_validate_command(ora, keys), timeout)
            parsed = oracle.parse_rman(output, status, expect="validate")
            findings.append(
                checks.restore_finding(
                    f"RMAN {tag}",
                    parsed.ok,
                    "VALIDATE BACKUPSET and RESTORE DATABASE VALIDATE passed"
                    if parsed.ok
                    else "; ".join(parsed.errors) or "validation did not finish",
                )
            )
            return findings, []
        dump_file = str(entry["file_url"]).rsplit("/", 1)[-1]
        digest = oracle.parse_sha256sum(
            _remote(hook, client, oracle.checksum_command(ora, dump_file), 600)[1]
        )
        findings.append(checks.file_finding(entry["file_url"], digest is not None, entry.get("size_bytes")))
        if entry.get("size_bytes"):
            findings.append(checks.size_finding(dump_file, int(entry["size_bytes"]), sizes, settings.size))
        findings.append(checks.checksum_finding(dump_file, entry.get("sha256"), digest))
        if any(f.severity == "critical" for f in findings):
            return findings, []
        status, output = _remote(hook, client, oracle.datapump_import_command(ora, dump_file), timeout)
        parsed = oracle.parse_datapump(output, status)
        findings.append(
            checks.restore_finding(
                ora.restore_schema, parsed.ok, "; ".join(parsed.errors) or "impdp completed"
            )
        )
        restored = {t: checks.TableStat(n, None, None) for t, n in parsed.rows.items()}
        source = {t: checks.TableStat(s.rows, None, None) for t, s in entry["stats"].items()}
        table_checks = checks.compare(source, restored, settings.core_tables)
        return findings + checks.table_findings(table_checks), table_checks
    finally:
        client.close()


def _conclude_verify(
    backup_date: dt.date, method: str, findings: list[Finding], table_checks: list, *, record: bool = True
) -> dict[str, Any]:
    status, verdict = checks.verdict(findings)
    now = local_now()
    if record:
        with db.connect(common().connections.ebops_db, read_only=False) as ops:
            catalog.set_verdict(ops, backup_date, method, status, verdict, now)
            catalog.save_table_checks(ops, backup_date, method, table_checks, now)
    return {
        "backup_date": backup_date.isoformat(),
        "method": method,
        "status": status,
        "verdict": verdict,
        **counts(findings),
        "findings": [
            {
                "severity": f.severity,
                "check": f.label,
                "target": f.target,
                "value": "" if f.value is None else f"{f.value:g} {f.unit}",
                "threshold": f.threshold,
                "advice": f.advice,
                "detail": f.detail,
            }
            for f in findings
            if f.severity != "ok"
        ][:30],
        "tables": {c.table_name: c.matches for c in table_checks},
    }


# --------------------------------------------------------------------------------------------
# retention, conclusion
# --------------------------------------------------------------------------------------------


def prune(backup_date: dt.date, settings: BackupSettings | None = None) -> dict[str, Any]:
    """Remove backups past retention (files we catalogued, in our directory, never the newest good ones)."""
    settings = settings or backup_settings()
    if settings.method != "pg_dump":
        return {
            "removed": [],
            "note": "Oracle backups follow the RMAN retention policy / Data Pump directory",
        }
    root = files.backup_dir(settings).resolve()
    with db.connect(common().connections.ebops_db) as ops:
        entries = catalog.history(ops, backup_date + dt.timedelta(days=1), "pg_dump")
    removed = []
    for e in files.to_remove(entries, backup_date, settings.retention):
        path = files.local_path(e["file_url"]).resolve()
        if root not in path.parents:
            log.warning("not removing %s: outside the backup directory %s", path, root)
            continue
        path.unlink(missing_ok=True)
        with db.connect(common().connections.ebops_db, read_only=False) as ops:
            catalog.mark_removed(ops, e["backup_date"], "pg_dump", local_now())
        removed.append(str(e["backup_date"]))
    return {"removed": removed, "retention_days": settings.retention.days}


def conclude(
    verification: dict[str, Any], taken: dict[str, Any] | None, pruned: dict[str, Any] | None
) -> dict[str, Any]:
    """Alert on a failed verification (once per incident) or its recovery; fail the run if it failed."""
    method = verification["method"]
    failed = verification["status"] != "verified"
    rows = verification["findings"] or [
        {"severity": "ok", "check": "backup", "target": method, "detail": verification["verdict"]}
    ]
    with db.connect(common().connections.ebops_db, read_only=False) as ops:
        outcome = incidents.track(
            ops,
            f"backup:{method}",
            active=failed,
            severity="critical" if failed else "ok",
            summary=verification["verdict"],
        )
        # Mailed before the incident commits: if the mail fails, the retry decides (and mails) again.
        mailed = alerts.notify_outcomes(
            DAG_ID,
            [(outcome, row) for row in rows],
            title=f"备份校验 backup {verification['backup_date']}",
            links={"Catalogue 备份目录": CATALOG, "File 文件": (taken or {}).get("file_url", "")},
        )
    summary = {
        "backup_date": verification["backup_date"],
        "method": method,
        "status": verification["status"],
        "verdict": verification["verdict"],
        "file_url": (taken or {}).get("file_url"),
        "size_bytes": (taken or {}).get("size_bytes"),
        "tables": verification["tables"],
        "removed_by_retention": (pruned or {}).get("removed", []),
        "catalog": CATALOG,
        "mailed": mailed,
    }
    if failed:
        raise alerts.alerted_failure(
            f"backup {verification['backup_date']} failed verification: {verification['verdict']}"
        )
    return summary
