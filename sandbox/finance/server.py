"""HTTP server of the finance-platform simulator (财政电子票据公共平台), on a real socket.

``POST /finance/api/medical/<serviceName>`` speaks the vendor's signed envelope (see
``ebill_ops.finance.protocol``); state lives in PostgreSQL (schema ``finsim``) so it survives
restarts. Order of checks for a service request:

1. outage window active → HTTP 503 at once (a down front-end machine);
2. ``added_latency_ms`` → asynchronous sleep;
3. envelope fields / version (E0005), appid (E0002), sign (E0001), Base64 + JSON data (E0005);
4. noise already seen for this appid → E0003 (replay protection, kept in ``finsim.seen_noise``);
5. unknown service → E0004;
6. ``error_rate`` schedule → the whole request is answered with ``error_code``, nothing processed;
7. the service. Every request, whatever its outcome, is written to ``finsim.request_log``.

Protocol-level refusals are HTTP 200 with a signed envelope, like the vendor's gateway. Admin
endpoints (``/health``, ``/admin/faults``, ``/admin/stats``) take plain JSON and no sign: bind the
simulator to loopback or a private network only. Details: docs/finance-simulator.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
import uvicorn
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from ebill_ops.finance.protocol import (
    E_APPID,
    E_MALFORMED,
    E_NOISE,
    E_SERVICE,
    SUCCESS,
    ProtocolError,
    encode_response,
    verify_and_decode,
)
from sandbox.finance import faults as fault_sql
from sandbox.finance import store
from sandbox.finance.faults import SHANGHAI, Faults
from sandbox.settings import SandboxSettings

log = logging.getLogger("sandbox.finance")

SERVICE_PATH = "/finance/api/medical"
FAULT_CACHE_SECONDS = 1.0


@dataclass(frozen=True)
class SimulatorConfig:
    dsn: str  # libpq DSN of the state database (contains a password: never log it)
    apps: Mapping[str, str]  # appid -> key
    pool_size: int = 4

    @classmethod
    def from_settings(cls, settings: SandboxSettings) -> SimulatorConfig:
        from sandbox.connections import FINANCE_APPID

        return cls(
            dsn=settings.dsn("finance", "finsim"),
            apps={FINANCE_APPID: settings.secrets()["finance_app_key"]},
        )

    def __repr__(self) -> str:
        return f"SimulatorConfig(apps={sorted(self.apps)}, pool_size={self.pool_size})"


class StateUnavailable(Exception):
    """The state database cannot be reached: the simulator answers 503 like a down platform."""


class Simulator:
    """Request handling, fault cache and error schedule; one per server."""

    def __init__(self, config: SimulatorConfig) -> None:
        self.config = config
        self.pool = store.Pool(config.dsn, config.pool_size)
        self._faults = Faults()
        self._faults_loaded = -1e9
        self._faults_lock = asyncio.Lock()
        self._signed_since_change = 0
        self._default_appid = next(iter(config.apps))

    # --- faults ----------------------------------------------------------------------------------
    def _install(self, faults: Faults) -> None:
        if faults.updated_at != self._faults.updated_at:
            self._signed_since_change = 0  # a change restarts the deterministic error schedule
        self._faults = faults
        self._faults_loaded = time.monotonic()

    async def load_faults(self) -> Faults:
        async with self.pool.connection() as conn:
            await conn.execute(fault_sql.ENSURE_SQL)
            row = await (await conn.execute(fault_sql.SELECT_SQL)).fetchone()
        faults = Faults.from_row(row)
        self._install(faults)
        return faults

    async def faults(self) -> Faults:
        """The fault row, read at most once per FAULT_CACHE_SECONDS; the last one if the DB fails."""
        if time.monotonic() - self._faults_loaded < FAULT_CACHE_SECONDS:
            return self._faults
        async with self._faults_lock:
            if time.monotonic() - self._faults_loaded < FAULT_CACHE_SECONDS:
                return self._faults
            try:
                return await self.load_faults()
            except psycopg.Error as exc:
                log.warning("finance simulator: cannot read faults: %s", type(exc).__name__)
                self._faults_loaded = time.monotonic()
                return self._faults

    async def update_faults(self, changes: Mapping[str, Any] | None) -> Faults:
        """Apply ``changes`` (None: clear all) in the DB and in the cache at once."""
        async with self.pool.connection() as conn, conn.transaction():
            await conn.execute(fault_sql.ENSURE_SQL)
            current = Faults.from_row(await (await conn.execute(fault_sql.LOCK_SQL)).fetchone())
            wanted = Faults() if changes is None else current.merged(changes)
            row = await (await conn.execute(fault_sql.UPDATE_SQL, wanted.params())).fetchone()
        faults = Faults.from_row(row)
        self._install(faults)
        return faults

    # --- service requests --------------------------------------------------------------------------
    def _answer(
        self,
        appid: str | None,
        code: str,
        message: str,
        payload: Mapping[str, Any] | None = None,
        noise: str | None = None,
    ) -> JSONResponse:
        appid = appid if appid in self.config.apps else self._default_appid
        body = encode_response(appid, self.config.apps[appid], code, message, payload, noise=noise)
        return JSONResponse(body)

    async def _log(
        self,
        conn: psycopg.AsyncConnection[Any],
        service: str,
        appid: Any,
        noise: Any,
        result: str,
        message: str,
        started: float,
        bill_count: int = 0,
    ) -> int:
        row = await (
            await conn.execute(
                store.LOG_REQUEST,
                {
                    "service": service[:60],
                    "appid": str(appid)[:60] if appid is not None else None,
                    "noise": str(noise)[:100] if noise is not None else None,
                    "result": result[:16],
                    "message": message[:400],
                    "bill_count": bill_count,
                    "duration_ms": int((time.monotonic() - started) * 1000),
                },
            )
        ).fetchone()
        assert row is not None
        return int(row["request_id"])

    async def _log_alone(
        self, service: str, appid: Any, noise: Any, result: str, message: str, started: float
    ) -> None:
        try:
            async with self.pool.connection() as conn:
                await self._log(conn, service, appid, noise, result, message, started)
        except psycopg.Error as exc:
            log.warning("finance simulator: cannot log a request: %s", type(exc).__name__)

    async def handle(self, service: str, raw: bytes) -> Response:
        started = time.monotonic()
        faults = await self.faults()
        now = datetime.now(SHANGHAI)
        if faults.outage_active(now):
            await self._log_alone(service, None, None, "HTTP503", "simulated outage", started)
            headers = {}
            if faults.outage_end is not None:
                headers["Retry-After"] = str(max(1, int((faults.outage_end - now).total_seconds())))
            return PlainTextResponse("front-end machine unavailable (simulated outage)", 503, headers=headers)
        if faults.added_latency_ms:
            await asyncio.sleep(faults.added_latency_ms / 1000)

        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        appid = body.get("appid") if isinstance(body, dict) else None
        noise = body.get("noise") if isinstance(body, dict) else None
        try:
            if not isinstance(body, dict):
                raise ProtocolError(E_MALFORMED, "body must be a JSON object")
            if appid not in self.config.apps:
                if isinstance(appid, str) and appid:
                    raise ProtocolError(E_APPID, "unknown appid")
                raise ProtocolError(E_MALFORMED, "missing appid")
            appid, params = verify_and_decode(body, self.config.apps[appid])
            if len(noise) > 100:
                raise ProtocolError(E_MALFORMED, "noise longer than 100 characters")
        except ProtocolError as exc:
            await self._log_alone(service, appid, noise, exc.code, exc.message, started)
            return self._answer(appid if isinstance(appid, str) else None, exc.code, exc.message)

        try:
            async with self.pool.connection() as conn, conn.transaction():
                code, message, payload, answer = await self._process(
                    conn, service, appid, noise, params, faults
                )
                bill_count = answer.bill_count if answer else 0
                request_id = await self._log(conn, service, appid, noise, code, message, started, bill_count)
                if answer and answer.events:
                    async with conn.cursor() as cur:
                        events = [(request_id, *event) for event in answer.events]
                        await cur.executemany(store.LOG_EVENTS, events)
        except (psycopg.OperationalError, psycopg.errors.AdminShutdown) as exc:
            log.warning("finance simulator: state database unavailable: %s", type(exc).__name__)
            return PlainTextResponse("finance platform state unavailable", 503)
        return self._answer(appid, code, message, payload, noise=noise)

    async def _process(
        self,
        conn: psycopg.AsyncConnection[Any],
        service: str,
        appid: str,
        noise: str,
        params: dict[str, Any],
        faults: Faults,
    ) -> tuple[str, str, dict[str, Any], store.Answer | None]:
        """Steps 4-7 inside the request's transaction: (code, message, payload, answer)."""
        claimed = await (await conn.execute(store.CLAIM_NOISE, {"appid": appid, "noise": noise})).fetchone()
        if claimed is None:
            return E_NOISE, "duplicate noise", {}, None
        if service not in store.SERVICES:
            return E_SERVICE, f"unknown service {service[:60]}", {}, None
        self._signed_since_change += 1
        if faults.fails(self._signed_since_change):
            return faults.error_code, "injected fault: platform busy", {}, None
        try:
            async with conn.transaction():  # savepoint: a refused request writes nothing
                answer = await store.SERVICES[service](conn, params)
        except store.ServiceError as exc:
            return exc.code, exc.message, {}, None
        return SUCCESS, answer.message, answer.payload, answer

    async def stats(self) -> dict[str, Any]:
        async with self.pool.connection() as conn:
            row = await (await conn.execute(store.STATS_SQL)).fetchone()
        assert row is not None
        return row["stats"]


def create_app(config: SimulatorConfig) -> Starlette:
    """The ASGI app; ``serve`` runs it, tests may too."""
    sim = Simulator(config)

    async def service(request: Request) -> Response:
        return await sim.handle(request.path_params["service"], await request.body())

    async def health(request: Request) -> Response:
        try:
            faults = await sim.faults()
            async with sim.pool.connection() as conn:
                await conn.execute("SELECT 1")
        except psycopg.Error:
            return JSONResponse({"status": "degraded", "database": False}, 503)
        return JSONResponse(
            {"status": "ok", "database": True, "outage": faults.outage_active(datetime.now(SHANGHAI))}
        )

    async def get_faults(request: Request) -> Response:
        return JSONResponse((await sim.load_faults()).to_json())

    async def put_faults(request: Request) -> Response:
        try:
            changes = await request.json()
            if not isinstance(changes, dict):
                raise ValueError("body must be a JSON object")
            faults = await sim.update_faults(changes)
        except ValidationError as exc:
            return JSONResponse({"error": exc.errors(include_url=False, include_context=False)}, 400)
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, 400)
        log.info("finance simulator: faults set to %s", faults.params())
        return JSONResponse(faults.to_json())

    async def clear_faults(request: Request) -> Response:
        return JSONResponse((await sim.update_faults(None)).to_json())

    async def reload_faults(request: Request) -> Response:
        return JSONResponse((await sim.load_faults()).to_json())

    async def stats(request: Request) -> Response:
        return JSONResponse(await sim.stats())

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            await sim.load_faults()
        except psycopg.Error as exc:  # serve anyway; requests will answer 503 until the DB is back
            log.warning("finance simulator: state database not reachable at start: %s", type(exc).__name__)
        yield
        await sim.pool.close()

    app = Starlette(
        routes=[
            Route(SERVICE_PATH + "/{service}", service, methods=["POST"]),
            Route("/health", health, methods=["GET"]),
            Route("/admin/faults", get_faults, methods=["GET"]),
            Route("/admin/faults", put_faults, methods=["PUT"]),
            Route("/admin/faults/clear", clear_faults, methods=["POST"]),
            Route("/admin/faults/reload", reload_faults, methods=["POST"]),
            Route("/admin/stats", stats, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    app.state.simulator = sim
    return app


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: the sandbox's services process owns signals."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def bind(host: str, port: int) -> socket.socket:
    """Bind before uvicorn does, so a busy port raises OSError here instead of sys.exit inside uvicorn."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)
    return sock


async def serve_config(config: SimulatorConfig, host: str, port: int) -> None:
    """Serve until cancelled; on cancel, stop accepting, finish open requests, close the socket."""
    sock = bind(host, port)
    server = _Server(
        uvicorn.Config(
            create_app(config),
            log_level="warning",
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=2,
        )
    )
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        server.should_exit = True
        with contextlib.suppress(Exception):
            await task
        raise
    finally:
        sock.close()


async def serve(settings: SandboxSettings) -> None:
    """Run the simulator on ``settings.host:settings.port("finance")`` until cancelled."""
    await serve_config(SimulatorConfig.from_settings(settings), settings.bind_host, settings.port("finance"))
