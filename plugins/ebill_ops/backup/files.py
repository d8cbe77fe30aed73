"""Backup files on disk: where they go, their checksum, and which ones retention may remove."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ebill_ops.backup.settings import BackupSettings, RetentionSettings
from ebill_ops.intervals import as_date

CHUNK = 1024 * 1024


def backup_dir(settings: BackupSettings) -> Path:
    """The configured local directory (``{artifacts}`` needs a ``file://`` artifacts location)."""
    from ebill_ops.artifacts import base_url
    from ebill_ops.paths import project_home

    text = settings.directory.replace("{home}", str(project_home()))
    if "{artifacts}" in text:
        parts = urlsplit(base_url())
        if parts.scheme not in ("file", ""):
            raise ValueError(
                f"backup.directory uses {{artifacts}} but the artifacts location {base_url()!r} is not local: "
                "set backup.directory to a local or mounted path"
            )
        text = text.replace("{artifacts}", parts.path)
    return Path(text)


def dump_path(settings: BackupSettings, method: str, day: dt.date) -> Path:
    return backup_dir(settings) / method / f"ebill_core_{day.isoformat()}.dump"


def sha256_of(path: Path) -> str:
    """Streamed in 1 MiB chunks: constant memory whatever the size of the dump."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def local_path(file_url: str) -> Path:
    """The path of a ``file://`` URL as ``Path.as_uri()`` wrote it (spaces and Chinese names are
    percent-encoded there), or a plain path as it is."""
    parts = urlsplit(file_url)
    return Path(unquote(parts.path) if parts.scheme == "file" else file_url)


def to_remove(
    entries: Iterable[Mapping[str, Any]], today: dt.date, retention: RetentionSettings
) -> list[Mapping[str, Any]]:
    """Catalogue entries past retention, never the newest ``keep_min_verified`` verified ones."""
    if not retention.enabled:
        return []
    live = sorted(
        (e for e in entries if e.get("removed_at") is None), key=lambda e: e["backup_date"], reverse=True
    )
    keep = {id(e) for e in [e for e in live if e["status"] == "verified"][: retention.keep_min_verified]}
    cutoff = today - dt.timedelta(days=retention.days)
    return [e for e in live if as_date(e["backup_date"]) < cutoff and id(e) not in keep]
