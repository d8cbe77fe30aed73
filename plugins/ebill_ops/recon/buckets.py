"""Compare two databases without pulling them: hash buckets in SQL, then only what differs.

Pass 1 asks each side for ``(bucket, count, sum of row hashes)`` per hash bucket of busNo — one
scan and a GROUP BY in each database, a few MB to the client. Buckets that agree hold the same
rows; only the rows of differing buckets are fetched (pass 2), ordered by bucket, and the two
streams are merged bucket by bucket, so the client holds one bucket at a time — memory follows
the number of differences, not the number of rows. Both sides work at the same time (one thread
each); the database does the scanning, Python only the differences.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from ebill_ops.recon.sources import Side

T = TypeVar("T")
R = TypeVar("R")
_END = object()


def bucket_count(rows: int, rows_per_bucket: int, low: int, high: int) -> int:
    """A power of two near ``rows / rows_per_bucket``, within [low, high]."""
    target = max(1, rows // max(rows_per_bucket, 1))
    power = 1 << max(0, (target - 1).bit_length())
    floor = 1 << max(0, (low - 1).bit_length())
    return int(min(max(power, floor), 1 << (max(high, 1).bit_length() - 1)))


@dataclass
class BucketSums:
    counts: np.ndarray
    sums: np.ndarray

    @property
    def rows(self) -> int:
        return int(self.counts.sum())


def bucket_sums(side: Side, query: str, params: Mapping[str, Any], nbuckets: int) -> BucketSums:
    """Pass 1 on one side: per bucket, the row count and the sum of row hashes."""
    counts = np.zeros(nbuckets, dtype=np.int64)
    sums = np.zeros(nbuckets, dtype=np.int64)
    with side.connect() as conn:
        for chunk in conn.iter_tuples(conn.sql(query), dict(params), batch=200_000):
            block = np.asarray(chunk, dtype=np.int64)
            counts[block[:, 0]] = block[:, 1]
            sums[block[:, 0]] = block[:, 2]
    return BucketSums(counts, sums)


def differing(his: BucketSums, platform: BucketSums) -> np.ndarray:
    """Bucket numbers whose count or hash sum differ between the sides."""
    return np.flatnonzero((his.counts != platform.counts) | (his.sums != platform.sums))


def both(first: Callable[[], T], second: Callable[[], R]) -> tuple[T, R]:
    """Run two side queries at the same time (each waits on its own database)."""
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="recon-side") as pool:
        a, b = pool.submit(first), pool.submit(second)
        return a.result(), b.result()


def buckets_json(buckets: Iterable[int]) -> str:
    return json.dumps(sorted(int(b) for b in buckets))


JSON_PARAMS = ("buckets", "keys", "known_channels")


def bind_params(conn: Any, params: Mapping[str, Any]) -> dict[str, Any]:
    """Parameters for ``conn``: on Oracle, JSON lists go as CLOBs (a VARCHAR2 bind stops at 4000 bytes)."""
    out = dict(params)
    if conn.dialect == "oracle":
        import oracledb

        for name in JSON_PARAMS:
            if isinstance(out.get(name), str):
                out[name] = conn.conn.createlob(oracledb.DB_TYPE_CLOB, out[name])
    return out


def stream_rows(
    side: Side, query: str, params: Mapping[str, Any], make: Callable[[Sequence[Any]], T], batch: int = 20_000
) -> Iterator[T]:
    """Rows of ``query`` on ``side``, read by a producer thread a few batches ahead of the consumer.

    The producer keeps the database busy while the consumer classifies; the bounded queue keeps
    memory to a few batches. Errors in the producer are raised in the consumer.
    """
    handoff: queue.Queue[Any] = queue.Queue(maxsize=4)
    stop = threading.Event()

    def produce() -> None:
        try:
            with side.connect() as conn:
                for chunk in conn.iter_tuples(conn.sql(query), bind_params(conn, params), batch=batch):
                    while not stop.is_set():
                        try:
                            handoff.put(chunk, timeout=0.5)
                            break
                        except queue.Full:
                            continue
                    if stop.is_set():
                        return
            handoff.put(_END)
        except BaseException as exc:  # handed to the consumer
            handoff.put(exc)

    thread = threading.Thread(target=produce, name=f"recon-{side.name}-rows", daemon=True)
    thread.start()
    try:
        while True:
            item = handoff.get()
            if item is _END:
                break
            if isinstance(item, BaseException):
                raise item
            for row in item:
                yield make(row)
    finally:
        stop.set()
        thread.join(timeout=30)


def _groups(rows: Iterator[Any]) -> Iterator[tuple[int | None, list[Any]]]:
    """Consecutive rows with the same bucket (rows arrive ordered by bucket, NULL last)."""
    current: list[Any] = []
    key: Any = _END
    for row in rows:
        if row.bucket != key and current:
            yield key, current
            current = []
        key = row.bucket
        current.append(row)
    if current:
        yield key, current


def _order(bucket: int | None) -> float:
    return float("inf") if bucket is None else bucket


def merge_by_bucket(his: Iterator[Any], platform: Iterator[Any]) -> Iterator[tuple[int | None, list, list]]:
    """Merge two bucket-ordered streams: ``(bucket, his_rows, platform_rows)`` for every bucket seen."""
    left, right = _groups(his), _groups(platform)
    a = next(left, None)
    b = next(right, None)
    while a is not None or b is not None:
        if b is None or (a is not None and _order(a[0]) < _order(b[0])):
            yield a[0], a[1], []
            a = next(left, None)
        elif a is None or _order(b[0]) < _order(a[0]):
            yield b[0], [], b[1]
            b = next(right, None)
        else:
            yield a[0], a[1], b[1]
            a, b = next(left, None), next(right, None)
