"""Fixtures that run the sandbox's SSH, SMTP and app-health endpoints for real, in this process.

The ``serve()`` coroutines named in ``sandbox.services.SERVICES`` run as tasks of an event loop in
a background thread, bound to 127.0.0.1 at ``EBILL_TEST_ENDPOINTS_PORT_BASE`` (default 62400)
plus the usual offsets. Readiness is a poll of the port with a deadline; stopping a service
cancels its task and waits until it has finished (so it can be restarted on the same port).

Import the fixtures into a test module with
``from tests.sandbox.endpoints_fixtures import endpoints, mailbox, ssh_faults  # noqa: F401``.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import os
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from sandbox import app_health, services, smtp_sink, ssh_server
from sandbox.connections import as_environ
from sandbox.settings import SandboxSettings, free_port_base

ENDPOINTS = ("ssh", "smtp", "app")
START_TIMEOUT = 30.0


def _port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


class EndpointServices:
    """The endpoints' ``serve()`` coroutines on an event loop in a background thread."""

    def __init__(self, settings: SandboxSettings) -> None:
        self.settings = settings
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="sandbox-endpoints", daemon=True)
        self._thread.start()
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def _call(self, coro, timeout: float = START_TIMEOUT):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def start(self, name: str) -> None:
        module, _, func = services.SERVICES[name].partition(":")
        serve = getattr(importlib.import_module(module), func)

        async def create() -> asyncio.Task[None]:
            return asyncio.create_task(serve(self.settings), name=name)

        task = self._call(create())
        self._tasks[name] = task
        port = self.settings.port(name)
        deadline = time.monotonic() + START_TIMEOUT
        while not _port_open(self.settings.host, port):
            if task.done():
                raise RuntimeError(f"{name} endpoint exited while starting: {task.exception()!r}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name} endpoint not listening on {self.settings.host}:{port}")
            time.sleep(0.02)

    def stop(self, name: str) -> None:
        task = self._tasks.pop(name)

        async def cancel() -> None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

        self._call(cancel())

    def restart(self, name: str) -> None:
        self.stop(name)
        self.start(name)

    def close(self) -> None:
        for name in list(self._tasks):
            self.stop(name)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=START_TIMEOUT)
        self.loop.close()


@pytest.fixture(scope="module")
def endpoints(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EndpointServices]:
    """SSH, SMTP and app-health endpoints running; Airflow connections set as env variables."""
    directory = tmp_path_factory.mktemp("endpoints")
    preferred = int(os.environ.get("EBILL_TEST_ENDPOINTS_PORT_BASE", "62400"))
    settings = SandboxSettings(directory=directory, port_base=free_port_base(directory, preferred))
    settings.ensure_dirs()
    for module in (ssh_server, smtp_sink, app_health):  # what `python -m sandbox up` does first
        module.prepare(settings)
    busy = [name for name in ENDPOINTS if _port_open(settings.host, settings.port(name))]
    if busy:
        pytest.fail(f"ports already in use for {busy}; set EBILL_TEST_ENDPOINTS_PORT_BASE")

    environ = as_environ(settings)

    running = EndpointServices(settings)
    with pytest.MonkeyPatch.context() as mp:
        for key, value in environ.items():
            mp.setenv(key, value)
        try:
            for name in ENDPOINTS:
                running.start(name)
            yield running
        finally:
            running.close()


@pytest.fixture
def mailbox(endpoints: EndpointServices) -> Iterator[SandboxSettings]:
    """An empty SMTP sink; yields the settings to pass to ``smtp_sink`` helpers."""
    smtp_sink.clear(endpoints.settings)
    yield endpoints.settings
    smtp_sink.clear(endpoints.settings)


@pytest.fixture
def ssh_faults(endpoints: EndpointServices) -> Iterator[SandboxSettings]:
    """No SSH faults before the test, none left after it."""
    ssh_server.clear_faults(endpoints.settings)
    yield endpoints.settings
    ssh_server.clear_faults(endpoints.settings)
