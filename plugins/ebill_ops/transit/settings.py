"""Settings of the finance sync (section ``transit`` of the settings file)."""

from __future__ import annotations

from pydantic import Field

from ebill_ops.config import Strict


class TransitSettings(Strict):
    # A bill is in transit when it is still unsupervised / unarchived this long after its issue:
    # before that the platform's own uploader is still at work. The hourly run waits this long
    # after its interval ends (a deferrable sensor) so that every bill of the interval is judged.
    allowed_lag_minutes: int = Field(30, ge=0, le=24 * 60)
    # Bills per request (the platform accepts at most 200).
    batch_size: int = Field(200, ge=1, le=200)
    # Requests in flight at once (threads of one task); the finance_gateway pool bounds the tasks.
    concurrency: int = Field(2, ge=1, le=16)
    # Bills per second sent to finance, all calls together (token bucket); 0 = no limit.
    max_bills_per_second: float = Field(400.0, ge=0)
    # At most this many bills per run; the rest is reported as still open for the next run.
    max_bills_per_run: int = Field(100_000, ge=1)
    # Ask finance before the first upload whether it already holds the bill (an upload whose answer
    # was lost before we ever saw the bill): costs one query per 200 bills, saves a re-send.
    query_before_upload: bool = True
    # Per-bill rejections (E2001 bad data, E2002 conflict, ...) before the bill is given up and a
    # person is asked to look at it (alert naming the bill).
    retry_budget: int = Field(3, ge=1, le=100)
    # A rejected bill is retried by later runs (within its budget) at most this often.
    retry_interval_minutes: int = Field(60, ge=0)
    # Open ledger bills of earlier windows (left by a failed run, rejected within budget) are taken
    # along by any run if issued in the last N days; 0 = only the run's own window.
    carry_over_days: int = Field(3, ge=0, le=60)
    # An upload whose answer never came (killed worker, timeout) is resolved by asking finance,
    # but only after this many seconds, so that a request still being processed cannot race the
    # query. Keep it above the gateway's request timeout.
    inflight_grace_seconds: int = Field(120, ge=0)
    # Reachability check before any work: a short timeout and few retries, so that a run during
    # an outage fails fast with a clear message instead of burning the window.
    ping_timeout_seconds: float = Field(10.0, gt=0)
    reachability_retries: int = Field(2, ge=2)
    reachability_retry_delay_seconds: int = Field(30, ge=0)
    # Rows per statement batch when recording the repair on ebill.bill.
    apply_batch_size: int = Field(1000, ge=1)
