"""Slow interfaces over the week, from the platform's call log: p95 per interface and service,
and the windows in which an interface was slow (consecutive slots whose p95 of successful calls
is above its threshold). Thresholds are the interface monitor's (section ``monitor``), so the
weekly view and the 15-minute alerts agree on what "slow" means."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ebill_ops.intervals import Window
from ebill_ops.monitor.settings import MonitorSettings
from ebill_ops.perf.findings import Finding, number
from ebill_ops.perf.settings import InterfaceSettings

# Where to look when an interface is slow, Chinese first.
ADVICE: dict[str, str] = {
    "signature": "签名服务器变慢：查看签名服务器 CPU、加密卡(HSM)与证书服务，及到它的网络延迟；同时段其他接口正常则多为签名端问题。"
    " Signature server slow: its CPU, HSM and certificate service, and the network to it.",
    "his_issue": "开票接口变慢：查看票据平台应用服务器与数据库（同时段 Top SQL、锁等待、连接池）。"
    " Issuing API slow: the platform's application servers and database (top SQL, lock waits, pools at that time).",
    "finance_upload": "上传财政变慢：前置机、财政专网链路或财政平台；向财政确认同时段是否拥塞或维护。"
    " Upload to finance slow: the front-end machine, the finance private network or the finance platform.",
    "delivery": "交付渠道变慢：查看渠道（微信/短信/邮件）接口的响应与限流。"
    " Delivery channel slow: the channel's API responses and rate limits.",
}
DEFAULT_ADVICE = "接口变慢：按调用链逐段查看（本地服务、网络、对端）。 Interface slow: check each hop (local service, network, remote)."


def weekly_findings(rows: Iterable[Mapping[str, Any]], monitor: MonitorSettings) -> list[Finding]:
    """One line per interface and service: p95 and mean of successful calls against thresholds."""
    out = []
    for rank, r in enumerate(rows, start=1):
        th = monitor.thresholds(r["interface"])
        calls, failures = int(r["calls"]), int(r["failures"] or 0)
        p95, mean, worst_ms = (
            number(r.get("p95_ms")),
            number(r.get("mean_ms")),
            number(r.get("max_ms")),
        )
        slow = (p95 is not None and p95 > th.p95_ms) or (mean is not None and mean > th.mean_ms)
        out.append(
            Finding(
                "slow_interface",
                f"{r['interface']}/{r['service_name']}",
                "warning" if slow else "info",
                None if p95 is None else round(p95, 1),
                "ms p95",
                f"p95 ≤ {th.p95_ms:g} ms, mean ≤ {th.mean_ms:g} ms",
                f"{calls:,} calls, {failures:,} failed ({100.0 * failures / calls if calls else 0:.2f}%), "
                f"mean {mean or 0:,.0f} ms, p95 {p95 or 0:,.0f} ms, max {worst_ms or 0:,.0f} ms (successful calls)",
                ADVICE.get(r["interface"], DEFAULT_ADVICE) if slow else "",
                rank,
                {"calls": calls, "failures": failures, "mean_ms": mean, "p95_ms": p95, "max_ms": worst_ms},
            )
        )
    return out


@dataclass(frozen=True)
class SlowWindow:
    interface: str
    start: dt.datetime
    end: dt.datetime
    calls: int
    worst_p95_ms: float
    slots: int


def slow_windows(
    rows: Iterable[Mapping[str, Any]], window: Window, monitor: MonitorSettings, settings: InterfaceSettings
) -> list[SlowWindow]:
    """Consecutive slow slots merged into windows, per interface, in time order."""
    slot = dt.timedelta(minutes=settings.slot_minutes)
    slow: dict[str, list[Mapping[str, Any]]] = {}
    for r in rows:
        p95 = number(r.get("p95_ms"))
        if p95 is None or int(r["calls"]) < settings.min_calls:
            continue
        if p95 > monitor.thresholds(r["interface"]).p95_ms:
            slow.setdefault(r["interface"], []).append(r)
    out: list[SlowWindow] = []
    for interface, found in slow.items():
        current: SlowWindow | None = None
        for r in sorted(found, key=lambda x: int(x["slot_no"])):
            start = window.start + int(r["slot_no"]) * slot
            end = min(start + slot, window.end)
            if current is not None and current.end == start:
                current = SlowWindow(
                    interface,
                    current.start,
                    end,
                    current.calls + int(r["calls"]),
                    max(current.worst_p95_ms, float(r["p95_ms"])),
                    current.slots + 1,
                )
            else:
                if current is not None:
                    out.append(current)
                current = SlowWindow(interface, start, end, int(r["calls"]), float(r["p95_ms"]), 1)
        if current is not None:
            out.append(current)
    return sorted(out, key=lambda w: (w.interface, w.start))


def window_label(w: SlowWindow) -> str:
    end = f"{w.end:%H:%M}" if w.end.date() == w.start.date() else f"{w.end:%Y-%m-%d %H:%M}"
    return f"{w.interface} {w.start:%Y-%m-%d %H:%M}–{end}"


def window_findings(
    windows: list[SlowWindow],
    weekly_p95: Mapping[str, float],
    monitor: MonitorSettings,
    settings: InterfaceSettings,
) -> list[Finding]:
    out = []
    per_interface: dict[str, int] = {}
    for w in windows:
        per_interface[w.interface] = per_interface.get(w.interface, 0) + 1
        if per_interface[w.interface] > settings.max_windows:
            continue
        th = monitor.thresholds(w.interface)
        normal = weekly_p95.get(w.interface)
        out.append(
            Finding(
                "slow_window",
                window_label(w),
                "warning",
                round(w.worst_p95_ms, 1),
                "ms p95",
                f"p95 ≤ {th.p95_ms:g} ms per {settings.slot_minutes} min",
                f"{w.slots} slot(s), {w.calls:,} successful calls, worst p95 {w.worst_p95_ms:,.0f} ms"
                + (f" (week p95 {normal:,.0f} ms)" if normal is not None else ""),
                ADVICE.get(w.interface, DEFAULT_ADVICE),
                len(out) + 1,
                {
                    "interface": w.interface,
                    "start": w.start.isoformat(sep=" "),
                    "end": w.end.isoformat(sep=" "),
                    "calls": w.calls,
                    "slots": w.slots,
                },
            )
        )
    return out


def interface_p95(rows: Iterable[Mapping[str, Any]]) -> dict[str, float]:
    """The week's p95 per interface: the largest of its services' (for context in window lines)."""
    out: dict[str, float] = {}
    for r in rows:
        p95 = number(r.get("p95_ms"))
        if p95 is not None:
            out[r["interface"]] = max(out.get(r["interface"], 0.0), p95)
    return out
