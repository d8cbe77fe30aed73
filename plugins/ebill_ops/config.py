"""Typed settings for every capability, read from one YAML file.

The file is ``$EBILL_OPS_CONFIG`` or ``include/config/ebill_ops.yaml``. Each capability owns a
section and a pydantic model for it (``section("recon", ReconSettings)``), so adding a capability
never means editing a central class. Reading is a small local file: safe at DAG parse time.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field

from ebill_ops.paths import include_dir

M = TypeVar("M", bound=BaseModel)


class Strict(BaseModel):
    """Base for settings models: unknown keys are an error, so a typo in the YAML is caught."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Connections(Strict):
    """Airflow connection ids; a real site may rename them."""

    ebill_db: str = "ebill_db"  # bill platform, read-mostly account
    ebill_dba: str = "ebill_dba"  # bill platform, DDL/backup account (year end, backup)
    his_db: str = "his_db"  # hospital business system, read-only
    ebops_db: str = "ebops_db"  # our own results (schema ebops)
    finance_gateway: str = "finance_gateway"  # finance platform HTTP gateway
    smtp: str = "smtp_default"


class AlertSettings(Strict):
    to: list[str] = Field(default_factory=lambda: ["ebill-ops@hospital.example"])
    from_email: str = "airflow-ebill@hospital.example"
    # Public URL of the Airflow UI, used for log links in mails.
    airflow_base_url: str = "http://127.0.0.1:8080"


class RetrySettings(Strict):
    retries: int = 3
    retry_delay_seconds: int = 60
    max_retry_delay_seconds: int = 1800


class CommonSettings(Strict):
    site_name: str = "Sandbox People's Hospital 沙箱人民医院"
    environment: Literal["prod", "pre-prod", "sandbox"] = "sandbox"
    timezone: str = "Asia/Shanghai"
    connections: Connections = Field(default_factory=Connections)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    retry: RetrySettings = Field(default_factory=RetrySettings)
    # Where reports, workbooks and Data Docs are written (ObjectStoragePath URL).
    # "{home}" is replaced by the project directory.
    artifacts_url: str = "file://{home}/artifacts"
    # Deadline (Airflow 3 SLA) per DAG id, in minutes after the run is queued.
    deadlines_minutes: dict[str, int] = Field(default_factory=dict)
    default_deadline_minutes: int = 120


def config_path() -> Path:
    env = os.environ.get("EBILL_OPS_CONFIG")
    return Path(env) if env else include_dir() / "config" / "ebill_ops.yaml"


@lru_cache(maxsize=8)
def _load_raw(path: str, mtime: float) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: the settings file must hold a mapping at the top level")
    return data


def raw_settings() -> dict[str, Any]:
    path = config_path()
    if not path.exists():
        return {}
    return _load_raw(str(path), path.stat().st_mtime)


def section(name: str, model: type[M]) -> M:
    """The settings of one capability, validated against its model."""
    return model.model_validate(raw_settings().get(name) or {})


def common() -> CommonSettings:
    return section("common", CommonSettings)
