"""Application figures of the inspected window: volume against its weekday norm, issuing errors,
the in-transit backlog. Pure assessors here; the queries run in ``run.py``.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Mapping
from typing import Any

from ebill_ops.inspect.findings import Finding, describe, grade
from ebill_ops.inspect.settings import ApplicationSettings
from ebill_ops.intervals import Window


def norm_windows(window: Window, weeks: int) -> list[Window]:
    """The same window 1..``weeks`` weeks earlier (same weekdays, same hours)."""
    return [
        Window(window.start - dt.timedelta(weeks=k), window.end - dt.timedelta(weeks=k))
        for k in range(1, weeks + 1)
    ]


def bills_issued(current: int, earlier: Iterable[int], settings: ApplicationSettings) -> Finding:
    """Fewer bills than the same weekday usually brings points at an outage of the issuing path."""
    history = [n for n in earlier if n > 0]
    norm = statistics.median(history) if history else 0
    if norm < settings.min_norm_bills:
        return Finding(
            "application",
            "bills_issued",
            "all points",
            float(current),
            "bills",
            f"norm ≥ {settings.min_norm_bills} to judge",
            "ok",
            "正常 ok",
            f"no usable norm yet ({len(history)} earlier week(s), median {norm:g})",
        )
    drop = round(100.0 * (norm - current) / norm, 1)
    limits = settings.volume_drop_pct
    severity = grade(drop, limits)
    return Finding(
        "application",
        "bills_issued",
        "all points",
        float(current),
        "bills",
        f"drop vs norm {describe(limits, '%')}",
        severity,
        "开票量明显低于同期：检查 HIS 调用、签名服务与开票点是否停用。 Volume well below the norm: check HIS calls, the signature server and the issuing points."
        if severity != "ok"
        else "正常 ok",
        f"norm {norm:g} (median of {len(history)} same-weekday window(s)), {-drop:+.1f}%",
    )


def issue_errors(rows: Iterable[Mapping[str, Any]], settings: ApplicationSettings) -> list[Finding]:
    """Failure rate per interface of the issuing path (HIS → platform, signature)."""
    limits = settings.error_rate_pct
    by_interface = {str(r["interface"]): r for r in rows}
    out = []
    for interface in settings.error_interfaces:
        r = by_interface.get(interface)
        calls = int(r["calls"]) if r else 0
        failures = int(r["failures"] or 0) if r else 0
        rate = round(100.0 * failures / calls, 2) if calls else None
        judged = rate if calls >= settings.min_calls else None
        severity = grade(judged, limits)
        out.append(
            Finding(
                "application",
                "issue_errors",
                interface,
                rate,
                "%",
                describe(limits, "%"),
                severity,
                "开票错误率高：按错误码排查（签名证书、号段、参数校验），参照接口监控。 Issuing errors high: follow the error code (certificate, stock, validation); see the interface monitor."
                if severity != "ok"
                else "正常 ok",
                f"{failures} of {calls} call(s) failed"
                + (f", commonest {r['top_error']}" if r and r.get("top_error") else "")
                + (
                    ""
                    if calls >= settings.min_calls
                    else f"; fewer than {settings.min_calls} calls: not judged"
                ),
            )
        )
    return out


def transit_backlog(rows: Iterable[Mapping[str, Any]], settings: ApplicationSettings) -> list[Finding]:
    limits = settings.transit_backlog
    lag = {"before_supervision": settings.supervision_lag_hours, "before_archive": settings.archive_lag_hours}
    out = []
    for r in rows:
        count = int(r["bills"] or 0)
        severity = grade(float(count), limits)
        out.append(
            Finding(
                "application",
                "transit_backlog",
                str(r["kind"]),
                float(count),
                "bills",
                f"older than {lag.get(str(r['kind']), '?'):g} h; {describe(limits)}",
                severity,
                "在途票据积压：确认财政前置机与网络恢复后，运行财政同步补传（回填中断时段）。 In-transit backlog: once the finance front-end answers, run the finance sync (backfill the outage)."
                if severity != "ok"
                else "正常 ok",
                f"oldest issued {r['oldest']}" if count else "",
            )
        )
    return out


def transit_params(window: Window, settings: ApplicationSettings) -> dict[str, dt.datetime]:
    return {
        "lookback_start": window.end - dt.timedelta(days=settings.transit_lookback_days),
        "supervise_before": window.end - dt.timedelta(hours=settings.supervision_lag_hours),
        "archive_before": window.end - dt.timedelta(hours=settings.archive_lag_hours),
    }
