"""The calls to finance for one run: bounded batches, a few at a time, at a limited rate.

Threads only talk HTTP; the calling thread owns the ledger connection and writes every claim
before its request leaves and every answer as soon as it is back. So whatever kills the process,
the ledger holds either "sending" (the next run asks finance what happened) or the answer.

Order of work: (1) uploads whose answer was lost, once their grace period is over, and bills
never checked are looked up with queryBillStatus; (2) bills finance does not hold are uploaded,
and each supervised batch is archived at once; bills already supervised are archived.
The first transport or request-level error stops new requests; those in flight finish and are
recorded, then the error is raised for Airflow to retry (or fail fast when it cannot help).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from ebill_ops.transit import model
from ebill_ops.transit.ledger import Ledger
from ebill_ops.transit.model import Bill, Change
from ebill_ops.transit.ratelimit import TokenBucket
from ebill_ops.transit.settings import TransitSettings

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]


@dataclass
class EngineResult:
    tally: Counter = field(default_factory=Counter)  # attempt outcomes, e.g. supervised: 812
    requests: Counter = field(default_factory=Counter)  # requests by action
    planned: dict[str, int] = field(default_factory=dict)
    deferred_inflight: list[Bill] = field(default_factory=list)
    error: BaseException | None = None
    rate_wait_seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "outcomes": dict(self.tally),
            "requests": dict(self.requests),
            "planned": self.planned,
            "deferred_inflight": len(self.deferred_inflight),
            "error": f"{type(self.error).__name__}: {self.error}" if self.error else None,
            "rate_wait_seconds": round(self.rate_wait_seconds, 2),
        }


@dataclass
class _Job:
    action: str  # query | inflight | upload | archive
    bills: list[Bill]
    claim_id: str
    started: dt.datetime


def _chunks(items: Sequence[Bill], size: int) -> Iterator[list[Bill]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


class Engine:
    def __init__(
        self,
        ledger: Ledger,
        client_factory: Callable[[], Any],
        settings: TransitSettings,
        *,
        clock: Clock,
        limiter: TokenBucket | None = None,
    ) -> None:
        self.ledger = ledger
        self.client_factory = client_factory
        self.settings = settings
        self.clock = clock
        rate = settings.max_bills_per_second
        self.limiter = limiter or TokenBucket(rate, max(float(settings.batch_size), rate or 1.0))
        self._local = threading.local()
        self._clients: list[Any] = []
        self._clients_lock = threading.Lock()

    # --- worker side: HTTP only ----------------------------------------------------------------
    def _client(self) -> Any:
        client = getattr(self._local, "client", None)
        if client is None:
            client = self.client_factory()
            self._local.client = client
            with self._clients_lock:
                self._clients.append(client)
        return client

    def _call(self, job: _Job) -> list[Any]:
        self.limiter.acquire(len(job.bills))
        client = self._client()
        keys = [b.key for b in job.bills]
        if job.action in ("query", "inflight"):
            return client.query_status(keys)
        if job.action == "upload":
            return client.upload_bills([b.upload_row() for b in job.bills])
        return client.archive_bills(keys)

    # --- the run -------------------------------------------------------------------------------
    def run(self, own: Sequence[Bill], carried: Sequence[Bill]) -> EngineResult:
        s = self.settings
        result = EngineResult()
        own_ids = {b.bill_id for b in own}
        work = [*own, *carried][: s.max_bills_per_run]
        p = model.plan(
            work,
            self.clock(),
            grace=dt.timedelta(seconds=s.inflight_grace_seconds),
            retry_interval=dt.timedelta(minutes=s.retry_interval_minutes),
            query_before_upload=s.query_before_upload,
            own_window=own_ids,
        )
        result.planned = p.counts()
        result.deferred_inflight = p.defer_inflight
        try:
            with ThreadPoolExecutor(max_workers=s.concurrency, thread_name_prefix="finance") as pool:
                to_upload, to_archive = self._lookups(pool, p, result)
                if result.error is None:
                    self._send(pool, [*p.upload, *to_upload], [*p.archive, *to_archive], result)
        finally:
            for client in self._clients:
                client.close()
            result.rate_wait_seconds = self.limiter.waited
        return result

    def _lookups(
        self, pool: ThreadPoolExecutor, p: model.Plan, result: EngineResult
    ) -> tuple[list[Bill], list[Bill]]:
        """Ask finance about lost answers and never-checked bills; returns (to upload, to archive)."""
        jobs = deque(self._job("inflight", c) for c in _chunks(p.resolve_inflight, self.settings.batch_size))
        jobs.extend(self._job("query", c) for c in _chunks(p.query_first, self.settings.batch_size))
        to_upload: list[Bill] = []
        to_archive: list[Bill] = []

        def done(job: _Job, answer: list[Any]) -> None:
            now = self.clock()
            looked = [model.after_query(b, st, now) for b, st in zip(job.bills, answer, strict=True)]
            if job.action == "inflight":
                changes = [
                    model.after_inflight_query(b, st, now) for b, st in zip(job.bills, answer, strict=True)
                ]
                finish = {b.bill_id: (b.claim_id or "", c) for b, c in zip(job.bills, changes, strict=True)}
                self.ledger.record(
                    "query",
                    job.claim_id,
                    job.bills,
                    changes,
                    now,
                    started=job.started,
                    attempt_changes=looked,
                    finish_uploads=finish,
                )
            else:
                changes = looked
                self.ledger.record("query", job.claim_id, job.bills, changes, now, started=job.started)
            for bill, change in zip(job.bills, changes, strict=True):
                result.tally[change.outcome] += 1
                bill.state = change.state
                if change.state == model.SUPERVISED:
                    to_archive.append(bill)
                elif change.state == model.PENDING:
                    to_upload.append(bill)

        self._drive(pool, jobs, done, result)
        return to_upload, to_archive

    def _send(
        self, pool: ThreadPoolExecutor, uploads: list[Bill], archives: list[Bill], result: EngineResult
    ) -> None:
        size = self.settings.batch_size
        jobs: deque[_Job] = deque(self._job("archive", c) for c in _chunks(archives, size))
        jobs.extend(_Job("upload", c, "", self.clock()) for c in _chunks(uploads, size))

        def done(job: _Job, answer: list[Any]) -> None:
            now = self.clock()
            if job.action == "upload":
                changes = [
                    model.after_upload(b, r, now, self.settings.retry_budget)
                    for b, r in zip(job.bills, answer, strict=True)
                ]
            else:
                changes = [model.after_archive(b, r, now) for b, r in zip(job.bills, answer, strict=True)]
            self.ledger.record(job.action, job.claim_id, job.bills, changes, now, started=job.started)
            supervised = []
            for bill, change in zip(job.bills, changes, strict=True):
                result.tally[change.outcome] += 1
                if change.state == model.GAVE_UP:
                    result.tally["gave_up"] += 1
                bill.state = change.state
                if job.action == "upload" and change.state == model.SUPERVISED:
                    supervised.append(bill)
            if supervised:
                jobs.appendleft(self._job("archive", supervised))

        self._drive(pool, jobs, done, result)

    def _job(self, action: str, bills: list[Bill]) -> _Job:
        return _Job(action, bills, uuid.uuid4().hex, self.clock())

    def _start(self, job: _Job) -> bool:
        """Claim an upload's bills (committed) before it is sent; False when none could be taken."""
        if job.action != "upload":
            return True
        job.claim_id = uuid.uuid4().hex
        job.started = self.clock()
        job.bills = self.ledger.claim(job.claim_id, job.bills, job.started)
        return bool(job.bills)

    def _drive(
        self,
        pool: ThreadPoolExecutor,
        jobs: deque[_Job],
        done: Callable[[_Job, list[Any]], None],
        result: EngineResult,
    ) -> None:
        """Keep ``concurrency`` requests in flight; record each answer in this thread."""
        running: dict[Future, _Job] = {}
        while running or (jobs and result.error is None):
            while jobs and result.error is None and len(running) < self.settings.concurrency:
                job = jobs.popleft()
                if self._start(job):
                    running[pool.submit(self._call, job)] = job
            if not running:
                continue
            finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for future in finished:
                job = running.pop(future)
                result.requests[job.action] += 1
                try:
                    answer = future.result()
                except Exception as exc:  # recorded, then re-raised by the caller
                    self._failed(job, exc, result)
                    continue
                done(job, answer)

    def _failed(self, job: _Job, exc: BaseException, result: EngineResult) -> None:
        text = f"no answer: {type(exc).__name__}: {exc}"[:400]
        log.warning("finance %s of %d bills failed: %s", job.action, len(job.bills), text)
        if job.action == "upload":
            # It may have been processed: the bills stay "sending" until finance is asked.
            self.ledger.no_answer(job.claim_id, text)
            result.tally["no_answer"] += len(job.bills)
        elif job.action == "archive":
            now = self.clock()
            changes = [Change(b.bill_id, model.SUPERVISED, "no_answer", None, text) for b in job.bills]
            self.ledger.record("archive", job.claim_id, job.bills, changes, now, started=job.started)
        if result.error is None:
            result.error = exc
