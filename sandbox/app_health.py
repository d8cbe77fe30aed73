"""Application and middleware health endpoints of the simulated bill platform.

HTTP (FastAPI, served by uvicorn inside the caller's event loop) on
``settings.host:settings.port("app")``:

``GET /health``
    Spring Boot actuator style: ``{"status": "UP", "components": {"db": {"status": "UP",
    "details": {...}}, ...}}``; HTTP 503 with ``"status": "DOWN"`` when the application or any
    component is down.
``GET /version``
    ``{"ebill-platform": "5.3.2", "signature-client": "2.1.0", "tomcat": "9.0.85", ...}``
``GET /middleware/tomcat/status``, ``/middleware/redis/status``, ``/middleware/db/status``,
``/middleware/signature-client/status``
    one middleware component each (version, a few gauges); 503 when down.
``GET /middleware/redis/ping``
    ``{"status": "UP", "reply": "PONG"}``; 503 when redis is down.

Fault knobs (the ``/admin`` routes themselves are never delayed nor failed):

``GET /admin/faults``
    the current faults.
``PUT /admin/faults``
    replaces the faults with the JSON body; fields left out take their default:
    ``{"status": "UP"|"DOWN", "latency_ms": 0, "http_status": null, "components": {"redis": "DOWN"}}``.
    ``status: DOWN`` takes the whole application down (``/health`` answers 503, every component
    reports DOWN); ``components`` takes single components down; ``latency_ms`` delays every
    answer; ``http_status`` makes every non-admin route answer that status (e.g. 503, 500).
``POST /admin/faults/clear``
    back to healthy.

Faults are kept in memory and in ``<sandbox>/app_faults.json`` (written atomically), so a restart
of the service keeps them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import socket
import tempfile
import time
from pathlib import Path
from typing import Any, Literal

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from sandbox.settings import SandboxSettings

log = logging.getLogger("sandbox.app_health")

FAULTS_NAME = "app_faults.json"

VERSIONS: dict[str, str] = {
    "ebill-platform": "5.3.2",
    "signature-client": "2.1.0",
    "tomcat": "9.0.85",
    "jdk": "1.8.0_392",
    "redis": "6.2.14",
    "oracle-jdbc": "19.21.0.0",
}

# component -> static details reported by /health and /middleware/<component>/status
COMPONENTS: dict[str, dict[str, Any]] = {
    "db": {"database": "Oracle", "validationQuery": "isValid()", "pool": "HikariCP"},
    "redis": {"version": VERSIONS["redis"], "mode": "standalone"},
    "tomcat": {"version": VERSIONS["tomcat"], "jvm": VERSIONS["jdk"]},
    "signature-client": {"version": VERSIONS["signature-client"], "server": "signature-server:8443"},
    "diskSpace": {"threshold": 10 * 1024 * 1024},
}

Status = Literal["UP", "DOWN"]


class Faults(BaseModel):
    """The injected faults; the default value is a healthy application."""

    model_config = ConfigDict(extra="forbid")

    status: Status = "UP"
    latency_ms: int = Field(default=0, ge=0, le=300_000)
    http_status: int | None = Field(default=None, ge=200, le=599)
    components: dict[str, Status] = Field(default_factory=dict)

    @field_validator("components")
    @classmethod
    def _known_components(cls, value: dict[str, Status]) -> dict[str, Status]:
        unknown = sorted(set(value) - set(COMPONENTS))
        if unknown:
            raise ValueError(f"unknown component(s) {unknown}; known: {sorted(COMPONENTS)}")
        return value

    def component_status(self, name: str) -> Status:
        if self.status == "DOWN":
            return "DOWN"
        return self.components.get(name, "UP")


def faults_path(settings: SandboxSettings) -> Path:
    return settings.directory / FAULTS_NAME


def load_faults(settings: SandboxSettings) -> Faults:
    """The persisted faults (healthy when there is no file or it is unreadable)."""
    try:
        return Faults.model_validate_json(faults_path(settings).read_text())
    except FileNotFoundError:
        return Faults()
    except (OSError, ValueError) as exc:
        log.warning("ignoring unreadable %s: %s", faults_path(settings), exc)
        return Faults()


def save_faults(settings: SandboxSettings, faults: Faults) -> None:
    path = faults_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(faults.model_dump_json(indent=2))
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def prepare(settings: SandboxSettings) -> None:
    """Create the sandbox directory. Idempotent; keeps persisted faults."""
    settings.directory.mkdir(parents=True, exist_ok=True)


def create_app(settings: SandboxSettings) -> FastAPI:
    app = FastAPI(title="ebill platform health (sandbox)", docs_url=None, redoc_url=None)
    app.state.faults = load_faults(settings)
    started = time.time()

    def faults() -> Faults:
        return app.state.faults

    def set_faults(value: Faults) -> Faults:
        save_faults(settings, value)
        app.state.faults = value
        log.info("app faults now %s", value.model_dump())
        return value

    @app.middleware("http")
    async def inject_faults(request: Request, call_next):
        if request.url.path.startswith("/admin"):
            return await call_next(request)
        current = faults()
        if current.latency_ms:
            await asyncio.sleep(current.latency_ms / 1000)
        if current.http_status is not None:
            return JSONResponse(
                {"status": "ERROR", "error": "fault injected by the sandbox", "path": request.url.path},
                status_code=current.http_status,
            )
        return await call_next(request)

    def component(name: str) -> dict[str, Any]:
        details = dict(COMPONENTS[name])
        if name == "diskSpace":
            usage = shutil.disk_usage(settings.directory)
            details.update(total=usage.total, free=usage.free, exists=True)
        return {"status": faults().component_status(name), "details": details}

    @app.get("/health")
    def health() -> Response:
        components = {name: component(name) for name in COMPONENTS}
        components["ping"] = {"status": faults().status}
        down = faults().status == "DOWN" or any(c["status"] == "DOWN" for c in components.values())
        body = {"status": "DOWN" if down else "UP", "components": components}
        return JSONResponse(body, status_code=503 if down else 200)

    @app.get("/version")
    def version() -> dict[str, str]:
        return dict(VERSIONS)

    def middleware_answer(name: str, body: dict[str, Any]) -> Response:
        status = faults().component_status(name)
        if status == "DOWN":
            return JSONResponse({"status": "DOWN", "component": name, "error": "connection refused"}, 503)
        return JSONResponse({"status": "UP", "component": name, **body})

    @app.get("/middleware/tomcat/status")
    def tomcat_status() -> Response:
        return middleware_answer(
            "tomcat",
            {
                "version": VERSIONS["tomcat"],
                "jvm": VERSIONS["jdk"],
                "uptime_seconds": int(time.time() - started),
                "threads": {"max": 200, "current": 25, "busy": 3},
                "heap_mb": {"used": 812, "max": 2048},
                "connectors": ["http-nio-8080"],
            },
        )

    @app.get("/middleware/redis/ping")
    def redis_ping() -> Response:
        return middleware_answer("redis", {"reply": "PONG"})

    @app.get("/middleware/redis/status")
    def redis_status() -> Response:
        return middleware_answer(
            "redis",
            {"version": VERSIONS["redis"], "connected_clients": 12, "used_memory_mb": 48, "role": "master"},
        )

    @app.get("/middleware/db/status")
    def db_status() -> Response:
        return middleware_answer("db", {**COMPONENTS["db"], "active": 4, "idle": 6, "max": 20})

    @app.get("/middleware/signature-client/status")
    def signature_status() -> Response:
        return middleware_answer("signature-client", dict(COMPONENTS["signature-client"]))

    @app.get("/admin/faults")
    def get_faults() -> Faults:
        return faults()

    @app.put("/admin/faults")
    def put_faults(value: Faults) -> Faults:
        return set_faults(value)

    @app.post("/admin/faults/clear")
    def clear_faults() -> Faults:
        return set_faults(Faults())

    return app


class _EmbeddedServer(uvicorn.Server):
    """uvicorn inside someone else's event loop: leave signal handling to the host process."""

    @contextlib.contextmanager
    def capture_signals(self):
        yield


async def serve(settings: SandboxSettings) -> None:
    """Serve the health endpoints on ``settings.host:settings.port("app")`` until cancelled."""
    prepare(settings)
    # Bind here, so that a busy port raises OSError (uvicorn would call sys.exit).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((settings.bind_host, settings.port("app")))
    except OSError:
        sock.close()
        raise
    config = uvicorn.Config(
        create_app(settings),
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=5,
    )
    server = _EmbeddedServer(config)
    task = asyncio.create_task(server.serve(sockets=[sock]), name="app-health-uvicorn")
    log.info("app health endpoints on %s:%d", settings.host, settings.port("app"))
    try:
        await asyncio.shield(task)
    finally:
        server.should_exit = True
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await task
        sock.close()
