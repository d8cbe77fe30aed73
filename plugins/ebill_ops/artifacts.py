"""Reports, workbooks and Data Docs go to one configured place (Airflow's ObjectStoragePath).

``file://`` by default, so a single machine needs nothing; a distributed Airflow points
``common.artifacts_url`` (or ``EBILL_OPS_ARTIFACTS_URL``) at a shared volume or an object store
and every worker writes where the alerts say the file is.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from ebill_ops.config import common
from ebill_ops.paths import project_home


def base_url() -> str:
    url = os.environ.get("EBILL_OPS_ARTIFACTS_URL") or common().artifacts_url
    return url.replace("{home}", str(project_home()))


def artifact_path(*parts: str) -> Any:
    """``<base>/<parts...>`` as an ObjectStoragePath (e.g. ``artifact_path("recon", "2026-11-30.xlsx")``)."""
    from airflow.sdk import ObjectStoragePath

    path = ObjectStoragePath(base_url())
    for part in parts:
        path = path / part
    return path


def write_bytes(data: bytes, *parts: str) -> str:
    """Write an artifact and return its URL (what alerts and XCom carry)."""
    path = artifact_path(*parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return str(path)


def write_text(text: str, *parts: str) -> str:
    return write_bytes(text.encode("utf-8"), *parts)


def upload_dir(local_dir: Path, *parts: str) -> str:
    """Copy a local directory tree (e.g. GX Data Docs) under ``<base>/<parts>``; returns its URL."""
    root = artifact_path(*parts)
    for file in sorted(p for p in local_dir.rglob("*") if p.is_file()):
        target = root / file.relative_to(local_dir).as_posix()
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(file.read_bytes())
    return str(root)


def scratch_dir(prefix: str) -> Path:
    """A local temporary directory for building an artifact before it is written."""
    return Path(tempfile.mkdtemp(prefix=f"ebops-{prefix}-"))
