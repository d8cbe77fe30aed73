"""Middleware and application health endpoints over HTTP: status, latency, components, versions.

Each endpoint is asked once with a timeout (a health check that needs retries is itself a
finding); the answer's HTTP status and latency are judged, and the actuator-style ``/health``
body is split into one finding per component so the report says *which* part is down.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from typing import Any

from ebill_ops.inspect.findings import Finding, describe, grade
from ebill_ops.inspect.settings import ApplicationSettings, EndpointSettings, EndpointSpec

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Answer:
    """One HTTP exchange; ``error`` is set when no HTTP answer came back at all."""

    status: int | None
    latency_ms: float
    body: Any = None
    error: str | None = None


def base_url(conn_id: str) -> str:
    """The application's base URL from its Airflow HTTP connection."""
    try:
        from airflow.sdk import BaseHook

        conn = BaseHook.get_connection(conn_id)
    except Exception as exc:
        raise LookupError(
            f"no Airflow connection {conn_id!r}: define it (HTTP, host and port of the platform's "
            "health endpoints) or set inspect.endpoints.conn_id"
        ) from exc
    scheme = conn.schema or (conn.conn_type if conn.conn_type in ("http", "https") else "http")
    port = f":{conn.port}" if conn.port else ""
    return f"{scheme}://{conn.host}{port}"


def fetch(client: Any, url: str) -> Answer:
    started = time.perf_counter()
    try:
        response = client.get(url)
    except Exception as exc:
        return Answer(
            None, (time.perf_counter() - started) * 1000, error=f"{type(exc).__name__}: {exc}"[:300]
        )
    latency = (time.perf_counter() - started) * 1000
    try:
        body = response.json()
    except ValueError:
        body = response.text[:500]
    return Answer(response.status_code, latency, body)


def judge_endpoint(spec: EndpointSpec, answer: Answer, settings: EndpointSettings) -> Finding:
    limits = settings.latency_ms
    category = spec.category if spec.category in ("middleware", "application") else "middleware"
    if answer.status is None:
        return Finding(
            category,  # type: ignore[arg-type]
            "endpoint",
            spec.name,
            None,
            "ms",
            f"HTTP {spec.expect_status}",
            "critical",
            "接口无响应：检查进程、端口与防火墙。 No answer: check the process, its port and the firewall.",
            answer.error or "",
        )
    if answer.status != spec.expect_status:
        detail = _status_text(answer.body)
        return Finding(
            category,  # type: ignore[arg-type]
            "endpoint",
            spec.name,
            round(answer.latency_ms, 1),
            "ms",
            f"HTTP {spec.expect_status}",
            "critical",
            "组件异常：查看该组件日志，必要时重启。 Component unhealthy: read its log; restart it if needed.",
            f"HTTP {answer.status} {detail}".strip(),
        )
    severity = grade(answer.latency_ms, limits)
    return Finding(
        category,  # type: ignore[arg-type]
        "endpoint",
        spec.name,
        round(answer.latency_ms, 1),
        "ms",
        describe(limits, " ms"),
        severity,
        "响应慢：检查线程池、连接池与下游依赖。 Slow answer: check thread and connection pools and what it calls."
        if severity != "ok"
        else "正常 ok",
        f"HTTP {answer.status}",
    )


def _status_text(body: Any) -> str:
    if isinstance(body, dict):
        return str(body.get("status") or body.get("error") or "")[:100]
    return str(body or "")[:100]


def judge_health(answer: Answer, settings: EndpointSettings) -> list[Finding]:
    """``/health``: the application itself plus one finding per component it reports."""
    app = judge_endpoint(
        EndpointSpec(name="application", path=settings.health_path, category="application"), answer, settings
    )
    findings = [app.with_(check="health")]
    body = answer.body if isinstance(answer.body, dict) else {}
    for name, component in sorted((body.get("components") or {}).items()):
        status = str((component or {}).get("status", "UNKNOWN")).upper()
        up = status == "UP"
        findings.append(
            Finding(
                "application",
                "component",
                name,
                1 if up else 0,
                "",
                "UP",
                "ok" if up else "critical",
                "正常 ok"
                if up
                else "组件 DOWN：查看应用日志中该组件的错误。 Component DOWN: read the application log for it.",
                status,
            )
        )
    return findings


_VERSION_PART = re.compile(r"\d+|[A-Za-z]+")


def version_key(text: str) -> tuple:
    """Comparable form of ``9.0.85``, ``1.8.0_392``, ``19.21.0.0``: numbers as numbers."""
    return tuple(int(p) if p.isdigit() else p for p in _VERSION_PART.findall(str(text)))


def judge_versions(found: dict[str, Any], settings: ApplicationSettings) -> list[Finding]:
    """Each component's version against the configured minimum baseline (二.2)."""
    out = []
    for component, minimum in sorted(settings.min_versions.items()):
        current = found.get(component)
        if current is None:
            out.append(
                Finding(
                    "application",
                    "version",
                    component,
                    None,
                    "",
                    f"≥ {minimum}",
                    "warning",
                    "未报告版本：确认组件是否在用、版本接口是否正常。 Version not reported: check the component and the version endpoint.",
                    "not in the version answer",
                )
            )
            continue
        below = version_key(str(current)) < version_key(minimum)
        severity = ("critical" if component in settings.critical_versions else "warning") if below else "ok"
        out.append(
            Finding(
                "application",
                "version",
                component,
                None,
                "",
                f"≥ {minimum}",
                severity,  # type: ignore[arg-type]
                "低于基线版本：按补丁计划升级并复测。 Below the baseline: schedule the patch and re-test."
                if below
                else "正常 ok",
                f"version {current}",
            )
        )
    return out


def check_all(endpoints: EndpointSettings, application: ApplicationSettings) -> list[Finding]:
    """Health, every middleware endpoint and the version baseline, each asked once."""
    import httpx

    root = base_url(endpoints.conn_id).rstrip("/")
    findings: list[Finding] = []
    with httpx.Client(timeout=endpoints.timeout_seconds, follow_redirects=False) as client:
        findings += judge_health(fetch(client, root + endpoints.health_path), endpoints)
        for spec in endpoints.endpoints:
            findings.append(judge_endpoint(spec, fetch(client, root + spec.path), endpoints))
        versions = fetch(client, root + application.versions_path)
    if versions.status == 200 and isinstance(versions.body, dict):
        findings += judge_versions(versions.body, application)
    else:
        findings.append(
            Finding(
                "application",
                "version",
                "baseline",
                None,
                "",
                "version endpoint answers",
                "warning",
                "版本接口不可用，未比对基线。 The version endpoint did not answer; the baseline was not checked.",
                versions.error or f"HTTP {versions.status}",
            )
        )
    return findings
