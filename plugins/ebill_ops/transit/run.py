"""What each task of ``ebill_finance_sync`` calls. Plain functions: tests call them without Airflow.

Connections are opened here, inside the task; the finance gateway client comes from the hook of
the ``finance_gateway`` connection (a real site plugs its own client there, docs/finance-simulator.md).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from typing import Any

from ebill_ops import db, incidents
from ebill_ops.config import common, section
from ebill_ops.intervals import Window, local_now
from ebill_ops.transit import balance, find, platform_record, report
from ebill_ops.transit.engine import Engine, EngineResult
from ebill_ops.transit.ledger import Ledger
from ebill_ops.transit.model import OPEN_STATES
from ebill_ops.transit.settings import TransitSettings

log = logging.getLogger(__name__)


class InFlightWithinGrace(Exception):
    """Uploads of an interrupted run may still be processed by finance: ask again after the grace."""

    retryable = True


def settings() -> TransitSettings:
    return section("transit", TransitSettings)


def _window_text(window: Window) -> list[str]:
    return [window.start.isoformat(sep=" "), window.end.isoformat(sep=" ")]


def hook_client_factory(timeout: float | None = None) -> Callable[[], Any]:
    """One client per worker thread, all from the ``finance_gateway`` connection (read once)."""
    from ebill_ops.finance.client import FinanceGatewayClient
    from ebill_ops.finance.hook import FinanceGatewayHook

    hook = FinanceGatewayHook(common().connections.finance_gateway)
    conn = hook.get_connection(hook.finance_conn_id)
    return lambda: FinanceGatewayClient.from_connection(conn, timeout=timeout)


# --- task: find_stuck -------------------------------------------------------------------------------
def find_stuck(
    window: Window,
    *,
    run_id: str | None,
    dry_run: bool = False,
    reset_budget: bool = False,
    now: dt.datetime | None = None,
    cfg: TransitSettings | None = None,
) -> dict[str, Any]:
    """Bills of the window past the allowed lag and still in transit, recorded in the ledger."""
    cfg = cfg or settings()
    conns = common().connections
    now = now or local_now()
    judged = find.judged_window(window, now, dt.timedelta(minutes=cfg.allowed_lag_minutes))
    rows: list[dict[str, Any]] = []
    if judged is not None:
        with db.connect(conns.ebill_db) as bill:
            rows = find.in_transit(bill, judged)
    reset = 0
    if not dry_run:
        with db.connect(conns.ebops_db, read_only=False) as ops:
            ledger = Ledger(ops, run_id)
            if reset_budget:
                reset = ledger.reset_budget(window)
            ledger.record_found(rows, now)
    summary = {
        "window": _window_text(window),
        "judged_until": judged.end.isoformat(sep=" ") if judged else None,
        "found": len(rows),
        "by_stage": find.stage_counts(rows),
        "budget_reset": reset,
        "dry_run": dry_run,
    }
    log.info("in transit: %s", summary)
    return summary


# --- task: check_finance ------------------------------------------------------------------------------
def check_finance(cfg: TransitSettings | None = None) -> dict[str, Any]:
    """Ping the gateway with a short timeout; raises FinanceUnavailable / FinanceError when it cannot."""
    cfg = cfg or settings()
    client = hook_client_factory(cfg.ping_timeout_seconds)()
    with client:
        answer = client.ping()
    return {
        "reachable": True,
        "elapsed_ms": round(answer.elapsed_ms, 1),
        "server_time": answer.server_time.isoformat(sep=" ") if answer.server_time else None,
    }


def unreachable_message(exc: BaseException, found: Mapping[str, Any] | None) -> str:
    """The first line people read in the failure mail: what, how many bills wait, what to do."""
    waiting = (found or {}).get("found")
    waiting_text = (
        f"{waiting} bill(s) of this interval wait in transit 在途待补传; " if waiting is not None else ""
    )
    return (
        f"财政平台不可达 finance platform unreachable ({type(exc).__name__}: {exc}); {waiting_text}"
        "this run stops here. After recovery backfill the outage window: docs/runbook-finance-outage.md"
    )


# --- task: resync ----------------------------------------------------------------------------------
def resync(
    window: Window,
    *,
    run_id: str | None,
    cfg: TransitSettings | None = None,
    client_factory: Callable[[], Any] | None = None,
    clock: Callable[[], dt.datetime] = local_now,
) -> dict[str, Any]:
    """Query, upload and archive the open bills of the window (and carried-over ones).

    Raises the first finance error after recording everything (Airflow retries), or
    InFlightWithinGrace when an interrupted upload is still too young to be asked about.
    """
    cfg = cfg or settings()
    conns = common().connections
    now = clock()
    carry_start = now - dt.timedelta(days=cfg.carry_over_days) if cfg.carry_over_days else None
    with db.connect(conns.ebops_db, read_only=False) as ops:
        ledger = Ledger(ops, run_id)
        own, carried = ledger.open_bills(window, carry_start)
        engine = Engine(ledger, client_factory or hook_client_factory(), cfg, clock=clock)
        result = engine.run(own, carried)
        states = ledger.window_states(window)
    summary = _resync_summary(window, own, carried, result, states)
    log.info("resync: %s", summary)
    if result.error is not None:
        raise result.error
    # Only the window's own bills hold the run back; carried-over ones wait for a later run.
    own_ids = {b.bill_id for b in own}
    deferred = [b for b in result.deferred_inflight if b.bill_id in own_ids]
    if deferred:
        newest = max(b.last_attempt_at or now for b in deferred)
        after = newest + dt.timedelta(seconds=cfg.inflight_grace_seconds)
        raise InFlightWithinGrace(
            f"{len(deferred)} bill(s) of an interrupted upload may still be processed by "
            f"finance; they are asked about after {after:%H:%M:%S} (grace {cfg.inflight_grace_seconds} s)"
        )
    return summary


def _resync_summary(
    window: Window, own: list, carried: list, result: EngineResult, states: dict
) -> dict[str, Any]:
    t = result.tally
    return {
        "window": _window_text(window),
        "open_in_window": len(own),
        "carried_over": len(carried),
        "confirmed": t["confirmed"] + t["held_supervised"] + t["held_archived"],
        "uploaded": t["supervised"] + t["duplicate"],
        "duplicates": t["duplicate"],
        "archived": t["archived"],
        "rejected": t["rejected"],
        "gave_up": t["gave_up"],
        "lost_and_resent": t["lost"],
        "window_states": states,
        "still_open": sum(n for s, n in states.items() if s in OPEN_STATES),
        **result.as_dict(),
    }


# --- task: record_on_platform ---------------------------------------------------------------------
def record_on_platform(run_id: str | None, cfg: TransitSettings | None = None) -> dict[str, Any]:
    cfg = cfg or settings()
    conns = common().connections
    with (
        db.connect(conns.ebops_db, read_only=False) as ops,
        db.connect(conns.ebill_db, read_only=False) as bill,
    ):
        return platform_record.apply(Ledger(ops, run_id), bill, cfg.apply_batch_size)


# --- task: verify -----------------------------------------------------------------------------------
def verify(window: Window, *, client_factory: Callable[[], Any] | None = None) -> dict[str, Any]:
    """Platform vs finance for each issue date of the window; an incident (one mail) per unbalanced day."""
    conns = common().connections
    days = window.days
    day_start = dt.datetime.combine(days[0], dt.time())
    day_end = dt.datetime.combine(days[-1] + dt.timedelta(days=1), dt.time())
    with db.connect(conns.ebill_db) as bill:
        platform_rows = bill.rows("transit/platform_day_totals", {"day_start": day_start, "day_end": day_end})
    client = (client_factory or hook_client_factory())()
    with client:
        finance = {day: client.daily_totals(day) for day in days}
    lines = balance.compare(days, platform_rows, finance)
    now = local_now()
    mailed = []
    with db.connect(conns.ebops_db, read_only=False) as ops:
        for line in lines:
            ops.execute("transit/delete_day_balance", {"ivc_date": line.ivc_date})
            ops.execute("transit/insert_day_balance", line.row(now))
            outcome = incidents.track(
                ops,
                f"transit:balance:{line.ivc_date.isoformat()}",
                active=not line.balanced,
                severity="warning",
                summary=f"platform {line.summary()['platform']} finance {line.summary()['finance']}",
                now=now,
            )
            if outcome.should_notify:  # mail before commit: a failed mail is decided again on retry
                report.mail_balance(line.summary(), recovered=outcome.decision == "recover")
                mailed.append(line.ivc_date.isoformat())
            ops.commit()
    return {
        "days": [line.summary() for line in lines],
        "balanced": all(x.balanced for x in lines),
        "mailed": mailed,
    }


# --- task: finish -----------------------------------------------------------------------------------
def finish(
    window: Window,
    *,
    run_id: str | None,
    started_at: dt.datetime,
    found: Mapping[str, Any],
    synced: Mapping[str, Any] | None,
    applied: Mapping[str, Any] | None,
    verified: Mapping[str, Any] | None,
    dry_run: bool = False,
    cfg: TransitSettings | None = None,
) -> dict[str, Any]:
    """Name the bills that spent their budget (once each), keep the run's row, return the summary."""
    cfg = cfg or settings()
    conns = common().connections
    now = local_now()
    synced = synced or {}
    with db.connect(conns.ebops_db, read_only=False) as ops:
        ledger = Ledger(ops, run_id)
        gave_up = [] if dry_run else ledger.gave_up_to_alert()
        if gave_up:  # marked, mailed, then committed (save_run): a failed mail is sent by the retry
            ledger.mark_alerted([b["bill_id"] for b in gave_up], now)
            report.mail_gave_up(gave_up, cfg.retry_budget)
        states = ledger.window_states(window)
        still_open = sum(n for s, n in states.items() if s in OPEN_STATES)
        ledger.save_run(
            {
                "window_start": window.start,
                "window_end": window.end,
                "run_id": run_id,
                "dry_run": int(dry_run),
                "found": int(found.get("found", 0)),
                "carried_over": int(synced.get("carried_over", 0)),
                "confirmed": int(synced.get("confirmed", 0)),
                "uploaded": int(synced.get("uploaded", 0)),
                "archived": int(synced.get("archived", 0)),
                "rejected": int(synced.get("rejected", 0)),
                "gave_up": int(synced.get("gave_up", 0)),
                "still_open": still_open,
                "started_at": started_at,
                "finished_at": now,
            }
        )
    return {
        "window": _window_text(window),
        "dry_run": dry_run,
        "found": found.get("found", 0),
        "by_stage": found.get("by_stage", {}),
        "carried_over": synced.get("carried_over", 0),
        "confirmed": synced.get("confirmed", 0),
        "uploaded": synced.get("uploaded", 0),
        "duplicates": synced.get("duplicates", 0),
        "archived": synced.get("archived", 0),
        "rejected": synced.get("rejected", 0),
        "gave_up_named": [f"{b['bill_batch_code']}-{b['bill_no']}" for b in gave_up],
        "applied_on_platform": (applied or {}).get("applied", 0),
        "balanced": (verified or {}).get("balanced"),
        "window_states": states,
        "still_open": still_open,
    }
