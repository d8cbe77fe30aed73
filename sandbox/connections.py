"""Airflow connections of the sandbox, as ``AIRFLOW_CONN_<ID>`` JSON values.

Written to ``<sandbox>/airflow.env`` (mode 0600) so that ``make demo``, ``make airflow`` and the
tests all point Airflow at the same services. Passwords live only in that file and secrets.json.
"""

from __future__ import annotations

import json
import shlex
from typing import Any

from sandbox.settings import SandboxSettings

SSH_LOGIN = "ops"
FINANCE_APPID = "SANDBOX-HOSP-0001"


def _pg(settings: SandboxSettings, database: str, role: str) -> dict[str, Any]:
    return {
        "conn_type": "postgres",
        "host": settings.pg_host,
        "port": settings.port("postgres"),
        "schema": settings.db_name(database),
        "login": role,
        "password": settings.role_password(role),
    }


def connections(settings: SandboxSettings) -> dict[str, dict[str, Any]]:
    secrets = settings.secrets()
    host_pub = settings.ssh_dir / "ssh_host_ed25519_key.pub"
    # SSHHook needs "<type> <base64>": a bare base64 value is read as an RSA key.
    host_key = " ".join(host_pub.read_text().split()[:2]) if host_pub.exists() else ""
    return {
        "ebill_db": _pg(settings, "bill", "ebill_ro"),
        "ebill_dba": _pg(settings, "bill", "ebill_owner"),
        "his_db": _pg(settings, "his", "his_ro"),
        "ebops_db": _pg(settings, "ebops", "ebops_rw"),
        "finance_gateway": {
            "conn_type": "http",
            "host": settings.host,
            "port": settings.port("finance"),
            "schema": "http",
            "login": FINANCE_APPID,
            "password": secrets["finance_app_key"],
            "extra": {"service_path": "/finance/api/medical", "timeout": 60},
        },
        "ebill_ssh_sandbox": {
            "conn_type": "ssh",
            "host": settings.host,
            "port": settings.port("ssh"),
            "login": SSH_LOGIN,
            "extra": {
                "key_file": str(settings.ssh_dir / "client_ed25519"),
                "host_key": host_key,
                "no_host_key_check": False,
                "allow_host_key_change": False,
                "cmd_timeout": 30,
                "conn_timeout": 10,
            },
        },
        "ebill_app": {
            "conn_type": "http",
            "host": settings.host,
            "port": settings.port("app"),
            "schema": "http",
        },
        "smtp_default": {
            "conn_type": "smtp",
            "host": settings.host,
            "port": settings.port("smtp"),
            "extra": {
                "disable_ssl": True,
                "disable_tls": True,
                "from_email": "airflow-ebill@hospital.example",
                "timeout": 10,
                "retry_limit": 2,
            },
        },
    }


def env_lines(settings: SandboxSettings) -> list[str]:
    lines = []
    for conn_id, value in connections(settings).items():
        lines.append(f"export AIRFLOW_CONN_{conn_id.upper()}={shlex.quote(json.dumps(value))}")
    return lines


def as_environ(settings: SandboxSettings) -> dict[str, str]:
    return {f"AIRFLOW_CONN_{cid.upper()}": json.dumps(v) for cid, v in connections(settings).items()}


def write_env_file(settings: SandboxSettings) -> None:
    settings.env_file.touch(mode=0o600)
    settings.env_file.write_text("\n".join(env_lines(settings)) + "\n")
