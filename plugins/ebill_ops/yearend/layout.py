"""Archive old layout files (版式文件) without ever losing one.

Per period (a month by default) of files older than the cutoff:

1. **pack**: hash every original, compare with the index (a file that differs from its recorded
   sha256, or is missing, is left alone and reported), write ``layout-<period>-<digest>.tar.gz``
   atomically with a ``MANIFEST.json`` member, and a sidecar ``<archive>.json`` (path, size,
   sha256 of every file, and of the archive itself). The name depends on the exact set of files,
   so a re-run finds its own archive, checks it and reuses it, or rebuilds it when it is damaged.
2. **release**: read the archive back (the whole file against its recorded digest, and every
   member against the manifest); only when everything matches, record ``archive_path`` in the
   index, then remove the originals — each only while it still is the archived copy (same size
   and sha256). A damaged archive is reported and the originals stay.

The index keeps ``file_path`` (the member name inside the archive), so a bill's file is found by
``archive_path`` + ``file_path`` (``extract``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from ebill_ops.intervals import as_date
from ebill_ops.yearend.fileserver import MANIFEST_MEMBER, FileServer, Readback, safe_relative
from ebill_ops.yearend.plan import digest

MANIFEST_FORMAT = "ebill-ops layout archive 1"


@dataclass(frozen=True)
class Unit:
    """One archive's worth of old files: a month (or a year) from the index summary."""

    period: str  # "2023-01" or "2023"
    start: str  # ISO dates, [start, end)
    end: str
    files: int
    bytes: int

    @property
    def unit_id(self) -> str:
        return f"layout:{self.period}"


def plan_units(summary: Iterable[Mapping[str, Any]], group_by: str) -> list[Unit]:
    """Units from the per-month summary of unarchived old files (``yearend/layout_summary``)."""
    merged: dict[str, list[int]] = {}
    for row in summary:
        month = as_date(row["period_start"])
        key = f"{month:%Y-%m}" if group_by == "month" else f"{month:%Y}"
        entry = merged.setdefault(key, [0, 0])
        entry[0] += int(row["files"])
        entry[1] += int(row["bytes"] or 0)
    units = []
    for key, (files, size) in sorted(merged.items()):
        start = dt.date.fromisoformat(f"{key}-01" if len(key) == 7 else f"{key}-01-01")
        if len(key) == 7:
            end = dt.date(start.year + (start.month == 12), start.month % 12 + 1, 1)
        else:
            end = dt.date(start.year + 1, 1, 1)
        units.append(Unit(key, start.isoformat(), end.isoformat(), files, size))
    return units


@dataclass
class UnitResult:
    period: str
    status: str  # nothing | built | reused | released | corrupt
    archive_path: str | None = None
    files: int = 0
    original_bytes: int = 0
    archive_bytes: int | None = None
    archive_sha256: str | None = None
    removed: int = 0
    problems: list[str] = field(default_factory=list)

    def row(self) -> dict[str, Any]:
        return asdict(self)


def archive_name(archive_dir: str, period: str, members: list[tuple[str, str]]) -> str:
    """``_archive/2023/layout-2023-01-<digest>.tar.gz``; the digest is over (path, sha256) pairs."""
    return f"{archive_dir}/{period[:4]}/layout-{period}-{digest(sorted(members))[:12]}.tar.gz"


def sidecar(path: str) -> str:
    return f"{path}.json"


def pack(
    fs: FileServer,
    period: str,
    rows: Iterable[Mapping[str, Any]],
    *,
    archive_dir: str,
    compresslevel: int,
    now: dt.datetime,
) -> UnitResult:
    """Build (or find intact) the archive of one period's unarchived files; removes nothing."""
    result = UnitResult(period, "nothing")
    candidates = []
    for row in rows:
        path = str(row["file_path"])
        if not safe_relative(path) or path.split("/")[0] == archive_dir.split("/")[0]:
            result.problems.append(f"{path}: unsafe or reserved path, left alone")
            continue
        candidates.append(row)
    actual = fs.hash_files([str(r["file_path"]) for r in candidates])
    files = []
    for row in candidates:
        path = str(row["file_path"])
        found = actual.get(path)
        if found is None:
            result.problems.append(f"{path}: original missing (bill {row['bill_id']}), index left as is")
            continue
        size, sha = found
        if row.get("sha256") and str(row["sha256"]).lower() != sha:
            result.problems.append(
                f"{path}: content differs from the index sha256 (bill {row['bill_id']}), left alone"
            )
            continue
        files.append({"bill_id": int(row["bill_id"]), "path": path, "size": size, "sha256": sha})
    if not files:
        return result
    files.sort(key=lambda f: f["path"])
    path = archive_name(archive_dir, period, [(f["path"], f["sha256"]) for f in files])
    result.archive_path, result.files = path, len(files)
    result.original_bytes = sum(f["size"] for f in files)
    manifest = {"format": MANIFEST_FORMAT, "period": period, "created": now.isoformat(), "files": files}
    existing = _load_sidecar(fs, path)
    if existing is not None and existing.get("files") == files:
        check = verify(fs.read_archive(path), existing)
        if not check:
            result.status = "reused"
            result.archive_bytes = existing["archive"]["size"]
            result.archive_sha256 = existing["archive"]["sha256"]
            return result
        result.problems.append(f"{path}: existing archive failed verification ({check[0]}); rebuilt")
    body = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
    size, sha = fs.write_archive(path, [f["path"] for f in files], body, compresslevel)
    fs.write_text(
        sidecar(path),
        json.dumps({**manifest, "archive": {"path": path, "size": size, "sha256": sha}}, indent=1),
    )
    result.status, result.archive_bytes, result.archive_sha256 = "built", size, sha
    return result


def verify(readback: Readback, manifest: Mapping[str, Any]) -> list[str]:
    """Every way the archive read back differs from its manifest; empty when it is intact."""
    if readback.error:
        return [readback.error]
    problems = []
    recorded = manifest.get("archive") or {}
    if recorded.get("sha256") and readback.sha256 != recorded["sha256"]:
        problems.append(f"archive sha256 {readback.sha256} != recorded {recorded['sha256']}")
    if recorded.get("size") is not None and readback.size != recorded["size"]:
        problems.append(f"archive size {readback.size} != recorded {recorded['size']}")
    members = dict(readback.members)
    if members.pop(MANIFEST_MEMBER, None) is None:
        problems.append(f"{MANIFEST_MEMBER} missing from the archive")
    for f in manifest["files"]:
        got = members.pop(f["path"], None)
        if got is None:
            problems.append(f"{f['path']}: missing from the archive")
        elif got != (f["size"], f["sha256"]):
            problems.append(f"{f['path']}: size/sha256 in the archive differ from the manifest")
    problems += [f"{name}: in the archive but not in the manifest" for name in sorted(members)]
    return problems


def release(
    fs: FileServer,
    path: str,
    mark_archived: Callable[[list[int], str], None],
) -> UnitResult:
    """Read the archive back; only if intact, record it in the index and remove the originals."""
    manifest = _load_sidecar(fs, path)
    period = (manifest or {}).get("period", "?")
    result = UnitResult(period, "corrupt", archive_path=path)
    if manifest is None:
        result.problems.append(f"{sidecar(path)}: manifest missing or unreadable; originals kept")
        return result
    files = manifest["files"]
    result.files = len(files)
    result.original_bytes = sum(f["size"] for f in files)
    result.archive_bytes = manifest["archive"]["size"]
    result.archive_sha256 = manifest["archive"]["sha256"]
    problems = verify(fs.read_archive(path), manifest)
    if problems:
        result.problems += [f"{path}: {p}" for p in problems[:20]]
        result.problems.append(f"{path}: verification failed, originals kept, index unchanged")
        return result
    # An original rewritten since it was packed (a release resumed by a later run) is not the copy
    # in the archive: keep it and its index row. Gone already (an interrupted release): archived.
    current = fs.hash_files([f["path"] for f in files])
    changed = {
        f["path"] for f in files if f["path"] in current and current[f["path"]] != (f["size"], f["sha256"])
    }
    result.problems += [
        f"{f['path']}: changed since it was archived (bill {f['bill_id']}); original kept, index unchanged"
        for f in files
        if f["path"] in changed
    ]
    archived = [f for f in files if f["path"] not in changed]
    mark_archived([int(f["bill_id"]) for f in archived], path)
    result.removed = fs.remove_files([f["path"] for f in archived if f["path"] in current])
    result.status = "released"
    return result


def extract(fs: FileServer, file_path: str, archive_path: str | None) -> bytes:
    """A bill's layout file, from its archive when it has one."""
    if archive_path:
        return fs.extract_member(archive_path, file_path)
    return fs.read_file(file_path)


def _load_sidecar(fs: FileServer, path: str) -> dict[str, Any] | None:
    text = fs.read_text(sidecar(path))
    if text is None:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if data.get("format") != MANIFEST_FORMAT or "archive" not in data:
        return None
    return data
