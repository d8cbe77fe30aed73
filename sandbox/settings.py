"""Where the sandbox lives and which ports it uses.

Everything is derived from two environment variables so that several sandboxes (a demo, the test
suite, a second checkout) can run side by side on one machine:

- ``EBILL_SANDBOX_DIR``: state directory (default ``<checkout>/.sandbox/default``);
- ``EBILL_SANDBOX_PORT_BASE``: ports are ``base + offset`` (default 55400, so PostgreSQL is 55432);
- ``EBILL_SANDBOX_HOST`` / ``EBILL_SANDBOX_BIND``: the address clients use and the one services
  bind (both 127.0.0.1 by default; a container stack uses its service name and 0.0.0.0).

``EBILL_TEST_PG_URL`` (a superuser URL) points the sandbox at an existing PostgreSQL server
instead of starting one; the sandbox then creates its roles and databases there.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

CHECKOUT = Path(__file__).resolve().parent.parent

PORT_OFFSETS = {"postgres": 32, "ssh": 22, "smtp": 25, "finance": 80, "app": 81}

# Databases of the simulated hospital and the role that owns / reads each.
DATABASES = {
    "bill": "ebill",  # bill platform (vendor schema "ebill")
    "his": "his",  # hospital business system (schema "his")
    "ebops": "ebops",  # ebill-ops results (schema "ebops")
    "finance": "finsim",  # the finance platform simulator's own state (schema "finsim")
}

# Roles: name -> what it is for. Passwords are generated per sandbox and kept in secrets.json.
ROLES = {
    "ebill_owner": "owns the bill platform schema (vendor account; DDL, year-end, backup)",
    "ebill_ro": "read-mostly account of ebill-ops on the bill platform",
    "his_ro": "read-only account on HIS",
    "ebops_rw": "owner of the ebops results schema",
    "finsim": "the finance simulator's own account",
}


@dataclass(frozen=True)
class SandboxSettings:
    directory: Path = field(
        default_factory=lambda: Path(os.environ.get("EBILL_SANDBOX_DIR", CHECKOUT / ".sandbox" / "default"))
    )
    port_base: int = field(default_factory=lambda: int(os.environ.get("EBILL_SANDBOX_PORT_BASE", "55400")))
    external_pg_url: str | None = field(default_factory=lambda: os.environ.get("EBILL_TEST_PG_URL") or None)
    # Address the services are reached at (written into the Airflow connections) and the address
    # they bind. Both are loopback on one machine; docker-compose sets host "sandbox", bind 0.0.0.0.
    host: str = field(default_factory=lambda: os.environ.get("EBILL_SANDBOX_HOST", "127.0.0.1"))
    bind_host: str = field(
        default_factory=lambda: os.environ.get(
            "EBILL_SANDBOX_BIND", os.environ.get("EBILL_SANDBOX_HOST", "127.0.0.1")
        )
    )

    def port(self, service: str) -> int:
        if service == "postgres" and self.external_pg_url:
            return urlsplit(self.external_pg_url).port or 5432
        return self.port_base + PORT_OFFSETS[service]

    @property
    def pg_host(self) -> str:
        if self.external_pg_url:
            return urlsplit(self.external_pg_url).hostname or self.host
        return self.host

    # Files and directories of this sandbox.
    @property
    def pg_data(self) -> Path:
        return self.directory / "pgdata"

    @property
    def pg_socket_dir(self) -> Path:
        return self.directory / "pgsocket"

    @property
    def log_dir(self) -> Path:
        return self.directory / "logs"

    @property
    def mail_dir(self) -> Path:
        """The SMTP sink writes every message it receives here as ``<n>.eml``."""
        return self.directory / "mail"

    @property
    def ssh_dir(self) -> Path:
        """Host key, client key and known_hosts of the SSH endpoint."""
        return self.directory / "ssh"

    @property
    def files_dir(self) -> Path:
        """The simulated file server (layout files) and backup area."""
        return self.directory / "files"

    @property
    def secrets_file(self) -> Path:
        return self.directory / "secrets.json"

    @property
    def env_file(self) -> Path:
        """``export AIRFLOW_CONN_...`` lines for every connection of the sandbox."""
        return self.directory / "airflow.env"

    @property
    def manifest_file(self) -> Path:
        return self.directory / "manifest.json"

    @property
    def services_pid_file(self) -> Path:
        return self.directory / "services.pid"

    def ensure_dirs(self) -> None:
        for path in (self.directory, self.log_dir, self.mail_dir, self.ssh_dir, self.files_dir):
            path.mkdir(parents=True, exist_ok=True)

    # Secrets: generated once per sandbox, file mode 0600, never printed.
    def secrets(self) -> dict[str, str]:
        if self.secrets_file.exists():
            return json.loads(self.secrets_file.read_text())
        self.ensure_dirs()
        values = {role: secrets.token_urlsafe(18) for role in ROLES}
        values["finance_app_key"] = secrets.token_hex(16)
        self.secrets_file.touch(mode=0o600)
        self.secrets_file.write_text(json.dumps(values, indent=2))
        return values

    def role_password(self, role: str) -> str:
        return self.secrets()[role]

    def dsn(self, database: str, role: str) -> str:
        """libpq keyword DSN (psycopg.connect accepts it); contains a password: never log it."""
        return (
            f"host={self.pg_host} port={self.port('postgres')} dbname={self.db_name(database)} "
            f"user={role} password={self.role_password(role)}"
        )

    def admin_dsn(self, database: str = "postgres") -> str:
        """Superuser DSN: the unix socket of our own server, or EBILL_TEST_PG_URL's server."""
        name = "postgres" if database == "postgres" else self.db_name(database)
        if self.external_pg_url:
            return urlsplit(self.external_pg_url)._replace(path=f"/{name}").geturl()
        return f"host={self.pg_socket_dir} port={self.port('postgres')} dbname={name} user=postgres"

    def db_name(self, database: str) -> str:
        """Database names carry a prefix on a shared external server so that runs do not collide."""
        prefix = os.environ.get("EBILL_SANDBOX_DB_PREFIX", "sbx_" if self.external_pg_url else "")
        return f"{prefix}{database}"


def _port_taken(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


def free_port_base(directory: Path, preferred: int, step: int = 100, tries: int = 50) -> int:
    """A port base whose ports are free, or the one this sandbox directory already runs on.

    The base a sandbox started with is remembered in ``<directory>/port_base``, so a second
    session finds its running sandbox again instead of starting another.
    """
    remembered = directory / "port_base"
    if remembered.exists() and (directory / "pgdata" / "postmaster.pid").exists():
        return int(remembered.read_text())
    for base in range(preferred, preferred + step * tries, step):
        if not any(_port_taken("127.0.0.1", base + offset) for offset in PORT_OFFSETS.values()):
            directory.mkdir(parents=True, exist_ok=True)
            remembered.write_text(str(base))
            return base
    raise RuntimeError(f"no free port base from {preferred} on")
