"""Healthcheck of the compose ``sandbox`` service.

Healthy when every network service of the sandbox accepts connections on the address Airflow uses
(``SandboxSettings.host``, ``EBILL_SANDBOX_HOST`` in compose) and the connections file that the
Airflow containers load (``airflow.env`` in the sandbox directory) has been written.
Standard library only (plus the sandbox package on PYTHONPATH), so it runs outside the entrypoint.
"""

from __future__ import annotations

import sys

from sandbox.services import SERVICES, port_open
from sandbox.settings import SandboxSettings


def main() -> int:
    settings = SandboxSettings()
    closed = [
        f"{name}:{settings.port(name)}"
        for name in SERVICES
        if not port_open(settings.host, settings.port(name))
    ]
    if closed:
        print(f"sandbox services not listening on {settings.host}: {', '.join(closed)}", file=sys.stderr)
        return 1
    if not settings.env_file.exists():
        print(f"{settings.env_file} not written yet", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
