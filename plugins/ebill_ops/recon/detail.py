"""Record-by-record reconciliation of one window, at any size, with memory bound by the differences.

1. Pass 1: bucket sums on both sides at once (``buckets``); differing buckets are the only ones
   that can hold a difference.
2. Bills just outside the window's edges are read too: a second bill issued minutes after
   midnight still belongs to a settlement of the window (their buckets are fetched as well).
3. Pass 2: the rows of those buckets, plus every malformed HIS row and every bill without a busNo,
   stream in bucket order from both sides and are classified one busNo at a time (``classify``).
4. What stays one-sided is paired on bill code + number, then looked up on the other side around
   the window: a settlement whose bill was issued on another day is compared here (the day of a
   payment is the settlement's day); a bill whose settlement is on another day belongs there.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ebill_ops.recon import buckets
from ebill_ops.recon.classify import (
    bill_day,
    classify_group,
    compare_by_number,
    data_errors,
    his_day,
    missing_in_his,
    missing_in_platform,
    pair_by_bill_number,
    voided_on_platform,
)
from ebill_ops.recon.model import (
    LIVE_STATES,
    BillRow,
    DataError,
    Difference,
    HisRow,
    parse_amount,
    to_cents,
    voucher_of,
)
from ebill_ops.recon.settings import ReconSettings
from ebill_ops.recon.sources import Bounds, Side, choose_hash

log = logging.getLogger(__name__)

Contributions = dict[tuple[dt.date, str, str], list[int]]


class TooManyDifferences(RuntimeError):
    """The differing buckets hold more rows than ``recon.max_detail_rows``: a source is broken."""


@dataclass
class DetailResult:
    differences: list[Difference] = field(default_factory=list)
    data_errors: list[DataError] = field(default_factory=list)
    # Per (day, dimension, value): [count, cents] of HIS minus platform over the rows of differing
    # buckets. Rows of equal buckets cancel, so this must equal the totals' difference.
    contributions: Contributions = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)


def _dims_his(row: HisRow) -> tuple[tuple[str, str], ...]:
    return (
        ("total", "*"),
        ("bus_type", row.bus_type or "-"),
        ("pay_channel", row.pay_channel or "-"),
        ("voucher_type", str(int(row.voucher_type))),
        ("direction", str(int(row.direction))),
        ("place_code", row.place_code or "-"),
    )


def _dims_bill(row: BillRow) -> tuple[tuple[str, str], ...]:
    return (
        ("total", "*"),
        ("bus_type", row.bus_type or "-"),
        ("pay_channel", row.pay_channel or "-"),
        ("voucher_type", str(voucher_of(int(row.data_type)))),
        ("direction", str(int(row.direction))),
        ("place_code", row.place_code or "-"),
    )


def _add(acc: Contributions, day: dt.date, dims: Iterable[tuple[str, str]], count: int, cents: int) -> None:
    for dim, value in dims:
        cell = acc.get((day, dim, value))
        if cell is None:
            acc[(day, dim, value)] = [count, cents]
        else:
            cell[0] += count
            cell[1] += cents


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Lookups:
    """Look-ups of one-sided keys on the other side, in batches, around the window."""

    def __init__(self, his: Side, platform: Side, bounds: Bounds, settings: ReconSettings) -> None:
        self.his, self.platform = his, platform
        self.params = bounds.widened(dt.timedelta(days=settings.lookaround_days))
        # HIS has no index on bill code + number: those look-ups stay within a day of the window.
        self.near = bounds.widened(dt.timedelta(days=1))
        self.batch = settings.lookup_batch
        self.queries = 0

    def _run(self, side: Side, query: str, keys: list[Any], make: Any, near: bool = False) -> list[Any]:
        found = []
        if not keys:
            return found
        with side.connect() as conn:
            text = conn.sql(query)
            for part in _chunks(keys, self.batch):
                self.queries += 1
                bounds = self.near if near else self.params
                params = buckets.bind_params(conn, {**bounds, "keys": json.dumps(list(part))})
                for chunk in conn.iter_tuples(text, params):
                    found.extend(make(row) for row in chunk)
        return found

    def bills_by_bus_no(self, bus_nos: Iterable[str]) -> dict[str, list[BillRow]]:
        out: dict[str, list[BillRow]] = defaultdict(list)
        for bill in self._run(self.platform, "recon/platform_by_bus_no", sorted(set(bus_nos)), BillRow._make):
            out[bill.bus_no].append(bill)
        return out

    def bills_by_number(self, numbers: Iterable[tuple[str, str]]) -> dict[tuple[str, str], list[BillRow]]:
        keys = [{"c": c, "n": n} for c, n in sorted(set(numbers))]
        out: dict[tuple[str, str], list[BillRow]] = defaultdict(list)
        for bill in self._run(self.platform, "recon/platform_by_bill_no", keys, BillRow._make):
            out[(bill.bill_batch_code, bill.bill_no)].append(bill)
        return out

    def his_by_bus_no(self, bus_nos: Iterable[str]) -> set[str]:
        rows = self._run(self.his, "recon/his_by_bus_no", sorted(set(bus_nos)), HisRow._make)
        return {r.bus_no for r in rows}

    def his_by_number(self, numbers: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        keys = [{"c": c, "n": n} for c, n in sorted(set(numbers))]
        rows = self._run(self.his, "recon/his_by_bill_no", keys, HisRow._make, near=True)
        return {(r.bill_batch_code, r.bill_no) for r in rows}


def reconcile_detail(
    bounds: Bounds, his: Side, platform: Side, settings: ReconSettings, nbuckets: int
) -> DetailResult:
    """Every difference between HIS and the platform in ``bounds.window``, classified."""
    started = time.perf_counter()
    result = DetailResult()
    window = bounds.window
    days = set(window.days)
    basis = bounds.basis
    hash_kind = choose_hash(settings.hash, his, platform)
    common = {"hash": hash_kind, "nbuckets": nbuckets}
    his_params = {**bounds.his(), **common}
    platform_params = {**bounds.platform(), **common}

    # 1. Pass 1: where can a difference be?
    his_sums, platform_sums = buckets.both(
        lambda: buckets.bucket_sums(his, "recon/his_buckets", his_params, nbuckets),
        lambda: buckets.bucket_sums(platform, "recon/platform_buckets", platform_params, nbuckets),
    )
    diff = buckets.differing(his_sums, platform_sums)
    diff_set = set(diff.tolist())
    estimate = int(his_sums.counts[diff].sum() + platform_sums.counts[diff].sum())
    pass1 = time.perf_counter() - started
    log.info(
        "pass 1: %s HIS and %s platform rows in %s buckets; %s differ (~%s rows) in %.1f s",
        his_sums.rows,
        platform_sums.rows,
        nbuckets,
        len(diff_set),
        estimate,
        pass1,
    )
    if estimate > settings.max_detail_rows:
        raise TooManyDifferences(
            f"{estimate:,} rows differ (limit recon.max_detail_rows = {settings.max_detail_rows:,}): "
            "one side looks incomplete; check the totals before the detail"
        )

    # 2. Bills just outside the edges that may belong to a settlement inside.
    edge: dict[str, list[BillRow]] = defaultdict(list)
    margin = dt.timedelta(minutes=settings.cross_day_margin_minutes)
    forced: set[int] = set()
    if margin:
        with platform.connect() as conn:
            text = conn.sql("recon/platform_window")
            for lo, hi in ((window.start - margin, window.start), (window.end, window.end + margin)):
                params = {**bounds.shifted(lo, hi).platform(), **common}
                for chunk in conn.iter_tuples(text, params):
                    for row in chunk:
                        bill = BillRow._make(row)
                        edge[bill.bus_no].append(bill)
                        forced.add(int(bill.bucket))
    fetch = diff_set | forced

    # 3. Pass 2: the rows of those buckets, merged bucket by bucket.
    known = frozenset(settings.known_channels)
    fetch_json = buckets.buckets_json(fetch)
    his_rows = buckets.stream_rows(
        his,
        "recon/his_rows",
        {**his_params, "buckets": fetch_json, "known_channels": json.dumps(list(settings.known_channels))},
        HisRow._make,
    )
    platform_rows = buckets.stream_rows(
        platform, "recon/platform_rows", {**platform_params, "buckets": fetch_json}, BillRow._make
    )
    left_his: list[HisRow] = []
    left_bills: list[BillRow] = []
    fetched = {"his": 0, "platform": 0}
    acc = result.contributions
    for bucket, his_group, bill_group in buckets.merge_by_bucket(his_rows, platform_rows):
        fetched["his"] += len(his_group)
        fetched["platform"] += len(bill_group)
        counted = bucket is None or bucket in diff_set
        by_key_his: dict[str, list[HisRow]] = defaultdict(list)
        by_key_bills: dict[str, list[BillRow]] = defaultdict(list)
        for row in his_group:
            result.data_errors.extend(data_errors(row, known))
            if counted:
                cents = parse_amount(row.amount_text)
                _add(acc, his_day(row), _dims_his(row), 1, int(row.direction) * (cents or 0))
            if bucket is None:
                left_his.append(row)  # no busNo: matched on code + number below
            elif bucket in fetch:
                by_key_his[row.bus_no].append(row)
            # else: fetched only for being malformed; its bucket agrees, nothing to compare
        for bill in bill_group:
            if counted:
                _add(
                    acc,
                    bill_day(bill, basis),
                    _dims_bill(bill),
                    -1,
                    -int(bill.direction) * to_cents(bill.total_amt),
                )
            if bucket is None:
                left_bills.append(bill)
            else:
                by_key_bills[bill.bus_no].append(bill)
        for key in by_key_his.keys() | by_key_bills.keys():
            settlements = by_key_his.get(key, [])
            bills = by_key_bills.get(key, [])
            if settlements and key in edge:
                bills = bills + edge[key]
            outcome = classify_group(settlements, bills)
            result.differences.extend(outcome.differences)
            result.data_errors.extend(outcome.data_errors)
            left_his.extend(outcome.his_only)
            left_bills.extend(outcome.bills_only)
    pass2 = time.perf_counter() - started - pass1

    # 4. One-sided rows: pair on bill number, then look on the other side around the window.
    lookup_started = time.perf_counter()
    pairs, left_his, left_bills = pair_by_bill_number(left_his, left_bills)
    for settlement, bill in pairs:
        result.differences.extend(compare_by_number(settlement, bill))
    lookups = _Lookups(his, platform, bounds, settings)
    result.differences.extend(_settle_his_only(left_his, lookups))
    result.differences.extend(_settle_bills_only(left_bills, lookups, basis))
    # Only this window's days: a look-up may find rows elsewhere, but they are reported on the
    # settlement's day, which is inside (HIS rows are read from the window only).
    result.differences = [d for d in result.differences if d.biz_date in days]
    result.contributions = {k: v for k, v in acc.items() if k[0] in days}
    result.stats = {
        "hash": hash_kind,
        "buckets": nbuckets,
        "differing_buckets": len(diff_set),
        "edge_bills": sum(len(v) for v in edge.values()),
        "his_rows": his_sums.rows,
        "platform_rows": platform_sums.rows,
        "fetched_his": fetched["his"],
        "fetched_platform": fetched["platform"],
        "lookup_queries": lookups.queries,
        "pass1_seconds": round(pass1, 2),
        "pass2_seconds": round(pass2, 2),
        "lookup_seconds": round(time.perf_counter() - lookup_started, 2),
        "seconds": round(time.perf_counter() - started, 2),
    }
    log.info("detail: %s", result.stats)
    return result


def scan_data_errors(bounds: Bounds, his: Side, settings: ReconSettings) -> list[DataError]:
    """Malformed HIS rows of a window whose detail is skipped because its totals balance.

    The totals cannot see an empty busNo (no dimension) or a settlement sharing a busNo, so a
    balanced day is still read for its malformed rows: no bucket is asked for, the query returns
    only the rows without busNo or with an unknown channel.
    """
    known = frozenset(settings.known_channels)
    params = {
        **bounds.his(),
        "hash": "native",  # no bucket is compared: any hash will do
        "nbuckets": 1,
        "buckets": buckets.buckets_json([]),
        "known_channels": json.dumps(list(settings.known_channels)),
    }
    found: list[DataError] = []
    for row in buckets.stream_rows(his, "recon/his_rows", params, HisRow._make):
        found.extend(data_errors(row, known))
    return found


def _settle_his_only(rows: list[HisRow], lookups: _Lookups) -> list[Difference]:
    """Settlements without a bill in the window: the bill may be on another day, or missing."""
    found: list[Difference] = []
    by_bus = lookups.bills_by_bus_no(r.bus_no for r in rows if r.bus_no)
    still: list[HisRow] = []
    for row in rows:
        bills = by_bus.get(row.bus_no, []) if row.bus_no else []
        live = [b for b in bills if b.state in LIVE_STATES]
        if live:
            outcome = classify_group([row], live)
            found.extend(outcome.differences)
        elif bills:
            found.append(voided_on_platform(row, bills[0]))
        else:
            still.append(row)
    numbered = [r for r in still if r.bill_batch_code and r.bill_no]
    by_number = lookups.bills_by_number((r.bill_batch_code, r.bill_no) for r in numbered)
    for row in still:
        bills = by_number.get((row.bill_batch_code, row.bill_no), []) if row.bill_batch_code else []
        live = [b for b in bills if b.state in LIVE_STATES]
        if live:
            found.extend(compare_by_number(row, live[0]))
        elif bills:
            found.append(voided_on_platform(row, bills[0]))
        else:
            found.append(missing_in_platform(row))
    return found


def _settle_bills_only(bills: list[BillRow], lookups: _Lookups, basis: str) -> list[Difference]:
    """Bills without a settlement in the window: it may be on another day (then it is reported
    there), or missing in HIS."""
    with_settlement = lookups.his_by_bus_no(b.bus_no for b in bills if b.bus_no)
    remaining = [b for b in bills if not (b.bus_no and b.bus_no in with_settlement)]
    named = lookups.his_by_number(
        (b.bill_batch_code, b.bill_no) for b in remaining if b.bill_batch_code and b.bill_no
    )
    remaining = [b for b in remaining if (b.bill_batch_code, b.bill_no) not in named]
    groups: dict[str, list[BillRow]] = defaultdict(list)
    for bill in remaining:
        groups[bill.bus_no or f"bill:{bill.bill_batch_code}/{bill.bill_no}/{bill.bill_id}"].append(bill)
    found: list[Difference] = []
    for group in groups.values():
        found.extend(missing_in_his(group, basis))  # type: ignore[arg-type]
    return found
