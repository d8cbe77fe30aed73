"""Visit one host over SSH (Airflow's SSH provider, paramiko) and run the inspection commands.

One connection per host, every command with a timeout, the host key pinned by the connection
(``host_key`` extra; an unknown or changed key is refused). A host that cannot be reached is a
finding, not a task failure: the report must still go out when a server is down.
"""

from __future__ import annotations

import logging
import shlex
import time
from typing import Any

from ebill_ops.inspect.host import CLOCK, COMMANDS, CommandResult, HostSample, clock_skew
from ebill_ops.inspect.settings import HostSettings, HostSpec

log = logging.getLogger(__name__)


def _hook(host: HostSpec, settings: HostSettings) -> Any:
    from airflow.providers.ssh.hooks.ssh import SSHHook

    return SSHHook(
        ssh_conn_id=host.conn_id,
        conn_timeout=settings.connect_timeout_seconds,
        cmd_timeout=settings.command_timeout_seconds,
        auth_timeout=settings.connect_timeout_seconds,
        banner_timeout=settings.connect_timeout_seconds,
        conn_retry_attempts=settings.connect_attempts,
    )


def run_command(hook: Any, client: Any, command: str, timeout: float) -> CommandResult:
    """Run one command; a timeout or channel error becomes a failed result (status 255)."""
    try:
        status, out, err = hook.exec_ssh_client_command(
            client, command, get_pty=False, environment=None, timeout=timeout
        )
    except Exception as exc:  # a hung or broken command must not stop the other checks
        return CommandResult(command, 255, "", f"{type(exc).__name__}: {exc}"[:300])
    return CommandResult(command, status, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))


def service_command(template: str, name: str) -> str:
    return template.replace("{name}", shlex.quote(name))


def visit(host: HostSpec, settings: HostSettings) -> HostSample:
    """Connect, run every command, measure the clock skew; never raises for a bad host."""
    sample = HostSample(host)
    try:
        hook = _hook(host, settings)
        client = hook.get_conn()
    except Exception as exc:
        sample.error = f"{type(exc).__name__}: {exc}"
        log.warning("host %s (%s) unreachable: %s", host.name, host.conn_id, sample.error)
        return sample
    try:
        timeout = settings.command_timeout_seconds
        for command in COMMANDS:
            sample.results[command] = run_command(hook, client, command, timeout)
        sent = time.time()
        clock = run_command(hook, client, CLOCK, timeout)
        received = time.time()
        if clock.ok:
            try:
                sample.clock_skew_seconds = clock_skew(clock.stdout, sent, received)
            except ValueError:
                sample.results[CLOCK] = CommandResult(CLOCK, 1, clock.stdout, "unreadable clock")
        else:
            sample.results[CLOCK] = clock
        for service in host.services:
            sample.services[service.name] = run_command(
                hook, client, service_command(service.command, service.name), timeout
            )
    finally:
        client.close()
    return sample
