"""Fixtures for the sandbox tests: a private PostgreSQL and the finance simulator on real sockets.

Private (port base 61400, a temporary directory) so that these tests can stop and restart the
simulator without touching the shared session sandbox of ``tests/conftest.py``. Tests only use
``finance_sim.settings`` (a SandboxSettings whose finance DB holds the ``finsim`` schema),
``.client()``, ``.key``, ``.base_url`` and ``.restart()``, so the fixture can be rebuilt on the shared
sandbox later. With ``EBILL_TEST_PG_URL`` set it would share that server's ``sbx_*`` databases.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ebill_ops.finance.client import FinanceGatewayClient
from sandbox import pg
from sandbox.connections import FINANCE_APPID
from sandbox.finance.server import serve
from sandbox.schema import apply_contract
from sandbox.services import port_open
from sandbox.settings import SandboxSettings, free_port_base

PORT_BASE = 61400  # private to these tests: PostgreSQL 61432, finance 61480


@dataclass
class SimulatorThread:
    """``serve(settings)`` in its own event loop on a background thread, stoppable and restartable."""

    settings: SandboxSettings
    _loop: asyncio.AbstractEventLoop | None = None
    _task: asyncio.Task[None] | None = None
    _thread: threading.Thread | None = None
    _done: Future[None] = field(default_factory=Future)

    def start(self, timeout: float = 30.0) -> None:
        ready: Future[None] = Future()
        self._done = Future()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            self._task = loop.create_task(serve(self.settings))
            ready.set_result(None)
            try:
                loop.run_until_complete(self._task)
                self._done.set_result(None)
            except asyncio.CancelledError:
                self._done.set_result(None)
            except BaseException as exc:  # report a failed start to the waiting test
                self._done.set_exception(exc)
            finally:
                loop.close()

        self._thread = threading.Thread(target=run, name="finance-simulator", daemon=True)
        self._thread.start()
        ready.result(timeout)
        host, port = self.settings.host, self.settings.port("finance")
        end = time.monotonic() + timeout
        while not port_open(host, port):
            if self._done.done():
                self._done.result()  # raises the server's failure
                raise RuntimeError("finance simulator stopped before listening")
            if time.monotonic() > end:
                raise TimeoutError(f"finance simulator not listening on {host}:{port}")
            time.sleep(0.02)

    def stop(self, timeout: float = 30.0) -> None:
        if self._loop is None or self._task is None or self._thread is None:
            return
        self._loop.call_soon_threadsafe(self._task.cancel)
        self._thread.join(timeout)
        self._done.result(timeout)
        self._loop = self._task = self._thread = None


@dataclass
class FinanceSim:
    settings: SandboxSettings
    server: SimulatorThread

    @property
    def base_url(self) -> str:
        return f"http://{self.settings.host}:{self.settings.port('finance')}"

    @property
    def key(self) -> str:
        return self.settings.secrets()["finance_app_key"]

    def client(self, **kwargs: Any) -> FinanceGatewayClient:
        options: dict[str, Any] = {"appid": FINANCE_APPID, "key": self.key, "timeout": 30.0, **kwargs}
        return FinanceGatewayClient(self.base_url, **options)

    def restart(self) -> None:
        self.server.stop()
        self.server.start()


@pytest.fixture(scope="session")
def sandbox_pg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxSettings]:
    """A private PostgreSQL with the sandbox roles, databases and contract schemas."""
    directory = Path(tmp_path_factory.mktemp("finance-sandbox"))
    settings = SandboxSettings(directory=directory, port_base=free_port_base(directory, PORT_BASE))
    pg.pg_bindir()  # a missing PostgreSQL fails the run: CI must install it
    pg.start(settings)
    try:
        pg.ensure_roles_and_databases(settings)
        apply_contract(settings)
        yield settings
    finally:
        pg.stop(settings)


@pytest.fixture(scope="session")
def finance_sim(sandbox_pg: SandboxSettings) -> Iterator[FinanceSim]:
    """The finance simulator serving ``sandbox_pg``'s state on 127.0.0.1:61480."""
    server = SimulatorThread(sandbox_pg)
    server.start()
    try:
        yield FinanceSim(sandbox_pg, server)
    finally:
        server.stop()
