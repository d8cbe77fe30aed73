"""Run the sandbox's network services in one background process.

Each service is a coroutine ``serve(settings)`` that binds 127.0.0.1 on ``settings.port(name)``
and runs until cancelled. ``python -m sandbox up`` starts this process detached (pid file in the
sandbox directory) and waits until every port accepts connections.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable

from sandbox.settings import CHECKOUT, SandboxSettings

# name -> "module:function" of a coroutine function taking SandboxSettings.
SERVICES: dict[str, str] = {
    "finance": "sandbox.finance.server:serve",
    "ssh": "sandbox.ssh_server:serve",
    "smtp": "sandbox.smtp_sink:serve",
    "app": "sandbox.app_health:serve",
}


def _load(target: str) -> Callable[[SandboxSettings], Awaitable[None]]:
    module, _, func = target.partition(":")
    return getattr(importlib.import_module(module), func)


async def run_all(settings: SandboxSettings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    tasks = [asyncio.create_task(_load(target)(settings), name=name) for name, target in SERVICES.items()]
    waiter = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait([*tasks, waiter], return_when=asyncio.FIRST_COMPLETED)
    for task in done:
        if task is not waiter and task.exception():
            print(f"service {task.get_name()} failed: {task.exception()!r}", file=sys.stderr, flush=True)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def running_pid(settings: SandboxSettings) -> int | None:
    try:
        pid = int(settings.services_pid_file.read_text())
    except (FileNotFoundError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    return pid


def start(settings: SandboxSettings, timeout: float = 60.0) -> int:
    """Start the services process unless it runs; wait until every port answers."""
    pid = running_pid(settings)
    if pid is None:
        settings.ensure_dirs()
        log = open(settings.log_dir / "services.log", "ab")  # noqa: SIM115 - handed to the child
        env = {
            **os.environ,
            "EBILL_SANDBOX_DIR": str(settings.directory),
            "EBILL_SANDBOX_PORT_BASE": str(settings.port_base),
            "PYTHONPATH": os.pathsep.join(
                [str(CHECKOUT), str(CHECKOUT / "plugins"), os.environ.get("PYTHONPATH", "")]
            ),
        }
        proc = subprocess.Popen(
            [sys.executable, "-m", "sandbox", "services"],
            cwd=CHECKOUT,
            env=env,
            stdout=log,
            stderr=log,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        pid = proc.pid
        settings.services_pid_file.write_text(str(pid))
    deadline = time.monotonic() + timeout
    pending = set(SERVICES)
    while pending:
        pending = {name for name in pending if not port_open(settings.host, settings.port(name))}
        if not pending:
            break
        if running_pid(settings) is None:
            raise RuntimeError(f"sandbox services exited; see {settings.log_dir / 'services.log'}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"sandbox services not listening: {sorted(pending)}")
        time.sleep(0.1)
    return pid


def stop(settings: SandboxSettings, timeout: float = 15.0) -> None:
    pid = running_pid(settings)
    if pid is None:
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while running_pid(settings) is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    if running_pid(settings) is not None:
        os.kill(pid, signal.SIGKILL)
    settings.services_pid_file.unlink(missing_ok=True)


def main() -> None:
    asyncio.run(run_all(SandboxSettings()))
