"""Pure judgement of interface health per slot: no database, no Airflow.

Per interface and slot the call log gives calls, failures, latency and, per issuing point and
result code, what failed. The verdict names the likely cause:

- ``local``: one issuing point fails while the other points are healthy (本地故障);
- ``remote_down``: many calls fail, mostly with transport errors (网络或对端宕机);
- ``remote_errors``: many calls fail with the remote's error codes (对端报错);
- ``degraded``: calls succeed but slowly (对端性能下降);
- ``delivery_delay``: e-bills not delivered within the allowed time after issue (交付延迟).

Failures are judged over a sustained window (the slot and ``lookback_slots`` before it) with a
minimum count, so the scattered random errors every log has do not alert.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ebill_ops.monitor.settings import MonitorSettings

VENDOR_CODE = re.compile(r"^[SE]\d{4}$")
DELIVERY = "delivery"

CAUSE_TEXT = {
    "local": "本地故障 local fault",
    "remote_down": "网络或对端宕机 network / remote down",
    "remote_errors": "对端报错 remote errors",
    "degraded": "对端性能下降 remote degraded",
    "delivery_delay": "交付延迟 delivery late",
}
ADVICE = {
    "local": "检查该开票点的工作站、本地服务和网络 check the issuing point's workstation, local service and its network "
    "link; other points are working, so the platform and the remote side are fine.",
    "remote_down": "检查网络和对端（前置机、财政平台、签名服务器）是否可达 check the network path and whether the "
    "remote system (front-end machine, finance platform, signature server) is up. For finance_upload, bills "
    "pile up in transit: after recovery backfill ebill_finance_sync (docs/runbook-finance-outage.md).",
    "remote_errors": "查看错误码，联系对端厂商 look at the error codes below and contact the remote system's vendor.",
    "degraded": "对端响应变慢 the remote answers slowly: check its load and the network latency; tell its vendor "
    "if it lasts.",
    "delivery_delay": "检查交付渠道（微信票夹、短信、邮件网关） check the delivery channels (WeChat 票夹, SMS, e-mail "
    "gateway) and their queues.",
}


@dataclass
class SlotStats:
    """What one interface did in one slot (or, summed, in a judged window)."""

    interface: str
    slot_no: int
    calls: int = 0
    failures: int = 0
    mean_ms: float | None = None
    p95_ms: float | None = None
    max_ms: int | None = None
    by_place: dict[str, list[int]] = field(default_factory=dict)  # place -> [calls, failures]
    codes: Counter = field(default_factory=Counter)  # result codes of failed calls
    due: int | None = None  # delivery: bills whose delivery deadline fell in the slot
    late: int | None = None
    delay_mean_s: float | None = None
    delay_p95_s: float | None = None

    def conn_failures(self, settings: MonitorSettings) -> int:
        known = set(settings.connection_error_codes)
        return sum(n for code, n in self.codes.items() if code in known or not VENDOR_CODE.match(code or ""))

    def error_codes_text(self, limit: int = 8) -> str | None:
        if not self.codes:
            return None
        return ", ".join(f"{code}:{n}" for code, n in self.codes.most_common(limit))[:400]


@dataclass(frozen=True)
class Verdict:
    status: str  # ok | breach | idle
    causes: tuple[str, ...]
    severity: str  # ok | warning | critical
    detail: str
    window_calls: int
    window_failures: int
    conn_failures: int
    top_place: str | None
    top_place_failures: int | None

    @property
    def cause(self) -> str | None:
        return self.causes[0] if self.causes else None


def build_slots(
    stats: Iterable[Mapping[str, Any]],
    breakdown: Iterable[Mapping[str, Any]],
    delivery: Iterable[Mapping[str, Any]],
    interfaces: Iterable[str],
    slots: int,
) -> dict[tuple[str, int], SlotStats]:
    """Every (interface, slot) of the range, empty where the log has nothing."""
    names = sorted(set(interfaces) | {r["interface"] for r in stats})
    out = {(name, n): SlotStats(name, n) for name in names for n in range(slots)}
    for r in stats:
        s = out.get((r["interface"], int(r["slot_no"])))
        if s is None:
            continue
        s.calls, s.failures = int(r["calls"]), int(r["failures"])
        s.mean_ms = float(r["mean_ms"]) if r["mean_ms"] is not None else None
        s.p95_ms = float(r["p95_ms"]) if r["p95_ms"] is not None else None
        s.max_ms = int(r["max_ms"]) if r["max_ms"] is not None else None
    for r in breakdown:
        s = out.get((r["interface"], int(r["slot_no"])))
        if s is None:
            continue
        place = r["place_code"] or "-"
        calls = int(r["calls"])
        entry = s.by_place.setdefault(place, [0, 0])
        entry[0] += calls
        if not int(r["ok"]):
            entry[1] += calls
            s.codes[r["result_code"] or "-"] += calls
    for r in delivery:
        s = out.get((DELIVERY, int(r["slot_no"])))
        if s is None:
            continue
        s.due, s.late = int(r["due"]), int(r["late"])
        s.delay_mean_s = float(r["delay_mean_s"]) if r["delay_mean_s"] is not None else None
        s.delay_p95_s = float(r["delay_p95_s"]) if r["delay_p95_s"] is not None else None
    return out


def window_of(slots: Sequence[SlotStats]) -> SlotStats:
    """The judged window: calls, failures, points and codes summed (latency stays per slot)."""
    total = SlotStats(slots[-1].interface, slots[-1].slot_no)
    for s in slots:
        total.calls += s.calls
        total.failures += s.failures
        total.codes.update(s.codes)
        for place, (calls, failures) in s.by_place.items():
            entry = total.by_place.setdefault(place, [0, 0])
            entry[0] += calls
            entry[1] += failures
    return total


def judge(
    slot: SlotStats,
    window: SlotStats,
    settings: MonitorSettings,
    places: Mapping[str, Mapping[str, Any]] | None = None,
) -> Verdict:
    th = settings.thresholds(slot.interface)
    causes: list[tuple[str, str]] = []  # (cause, detail)
    wc, wf = window.calls, window.failures
    conn = window.conn_failures(settings)
    top_place, top_failures = None, None
    if wf > 0 and window.by_place:
        top_place, (top_calls, top_failures) = max(window.by_place.items(), key=lambda kv: (kv[1][1], kv[0]))
        other_calls, other_failures = wc - top_calls, wf - top_failures
        others_healthy = (
            other_calls >= settings.local_min_other_calls
            and (other_calls - other_failures) / other_calls >= th.min_success_rate
        )
        point_failing = (
            top_failures >= settings.local_min_failures
            and top_failures / top_calls >= settings.local_min_failure_rate
        ) or (
            top_failures >= settings.local_concentrated_failures
            and top_failures / wf >= settings.local_min_failure_share
        )
        if top_place != "-" and point_failing and others_healthy:
            host = (places or {}).get(top_place, {}).get("host_name")
            where = f"{top_place}（{host}）" if host else top_place
            causes.append(
                (
                    "local",
                    f"仅开票点 {where} 出错 errors from issuing point {top_place} only: {top_failures} of its "
                    f"{top_calls} calls failed ({window.error_codes_text(3)}), other points healthy",
                )
            )
        elif wf >= settings.min_failures and (wc - wf) / wc < th.min_success_rate:
            rate = (wc - wf) / wc
            if conn / wf >= settings.connection_share:
                causes.append(
                    (
                        "remote_down",
                        f"{wf} of {wc} calls failed, {conn} with connection errors; success rate {rate:.0%} "
                        f"(< {th.min_success_rate:.0%}) 调用大量失败且多为连接错误",
                    )
                )
            else:
                causes.append(
                    (
                        "remote_errors",
                        f"{wf} of {wc} calls failed ({window.error_codes_text(3)}); success rate {rate:.0%} "
                        f"(< {th.min_success_rate:.0%}) 调用大量失败",
                    )
                )
    if not causes and slot.calls >= settings.min_calls_latency and slot.mean_ms is not None:
        p95 = slot.p95_ms or 0.0
        if p95 > th.p95_ms or slot.mean_ms > th.mean_ms:
            causes.append(
                (
                    "degraded",
                    f"调用成功但慢 slow but succeeding: mean {slot.mean_ms:.0f} ms, p95 {p95:.0f} ms "
                    f"(limits {th.mean_ms:.0f} / {th.p95_ms:.0f} ms)",
                )
            )
    d = settings.delivery
    if (
        slot.due
        and slot.late is not None
        and slot.late >= d.min_late
        and slot.late / slot.due > d.max_late_share
    ):
        causes.append(
            (
                "delivery_delay",
                f"交付超时 {slot.late} of {slot.due} e-bills not delivered within {d.late_after_minutes} min "
                f"of issue (limit {d.max_late_share:.0%})",
            )
        )
    if causes:
        severity = "critical" if any(c == "remote_down" for c, _ in causes) else "warning"
        status = "breach"
    else:
        severity = "ok"
        status = "idle" if slot.calls == 0 and not slot.due else "ok"
    detail = "; ".join(f"[{CAUSE_TEXT[c]}] {text}" for c, text in causes)
    return Verdict(
        status=status,
        causes=tuple(c for c, _ in causes),
        severity=severity,
        detail=detail[:1000],
        window_calls=wc,
        window_failures=wf,
        conn_failures=conn,
        top_place=top_place if wf else None,
        top_place_failures=top_failures if wf else None,
    )


def assess(
    slots: Mapping[tuple[str, int], SlotStats],
    first_judged: int,
    settings: MonitorSettings,
    places: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[tuple[SlotStats, Verdict]]:
    """Judge every slot from ``first_judged`` on (earlier slots are only the look-back)."""
    out = []
    for (interface, n), slot in sorted(slots.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if n < first_judged:
            continue
        history = [
            slots[(interface, k)]
            for k in range(n - settings.lookback_slots, n + 1)
            if (interface, k) in slots
        ]
        out.append((slot, judge(slot, window_of(history), settings, places)))
    return out
