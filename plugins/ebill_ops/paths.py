"""Where the project's files live, whether run from a checkout, a container or a test."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def project_home() -> Path:
    """The directory holding ``include/`` (``EBILL_OPS_HOME`` overrides; default: the checkout)."""
    env = os.environ.get("EBILL_OPS_HOME")
    if env:
        return Path(env).resolve()
    return PACKAGE_DIR.parent.parent


def include_dir() -> Path:
    return project_home() / "include"


def sql_dir() -> Path:
    return include_dir() / "sql"


def templates_dir() -> Path:
    return include_dir() / "templates"
