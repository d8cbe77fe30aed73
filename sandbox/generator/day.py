"""One day of a hospital's bills, settlements and interface calls, vectorised with numpy.

Money is generated in integer cents so that every sum is exact; it becomes text ("123.45") only
when written. Anomalies are applied to disjoint sets of bills so that each injected problem shows
up as exactly one finding of its own class (the manifest is the ground truth of that promise).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sandbox.generator import profile as P
from sandbox.generator.anomalies import SPEC_RULES
from sandbox.generator.config import GeneratorConfig

# Plain object strings: the generator assigns many small string columns, which Arrow-backed
# strings (pandas 3's default) make several times slower.
pd.set_option("future.infer_string", False)

EPOCH = dt.date(2000, 1, 1)
ALNUM = np.frombuffer(b"0123456789ABCDEFGHJKLMNPQRSTUVWXYZ", dtype="S1")
DIGITS = np.frombuffer(b"0123456789", dtype="S1")
SEC = np.timedelta64(1, "s")
MAX_PER_DAY = 1_000_000  # bill ids are day * 1e6 + position


def cents_to_decimal(cents: np.ndarray | pd.Series) -> pa.Array:
    """Integer cents as an exact Arrow decimal(18,2) (12345 -> 123.45), without float rounding."""
    values = np.ascontiguousarray(np.asarray(cents, dtype=np.int64))
    words = np.empty((len(values), 2), dtype=np.int64)
    words[:, 0] = values
    words[:, 1] = values >> 63  # sign extension into the high 64 bits
    return pa.Array.from_buffers(pa.decimal128(18, 2), len(values), [None, pa.py_buffer(words.tobytes())])


def money(cents: np.ndarray | pd.Series) -> np.ndarray:
    """Integer cents as exact decimal text: 12345 -> "123.45", -5 -> "-0.05"."""
    return np.asarray(
        pc.cast(cents_to_decimal(cents), pa.string()).to_numpy(zero_copy_only=False), dtype=object
    )


def fmt_cents(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(int(cents)) // 100}.{abs(int(cents)) % 100:02d}"


def random_strings(rng: np.random.Generator, n: int, length: int, alphabet: np.ndarray = ALNUM) -> np.ndarray:
    picks = alphabet[rng.integers(0, len(alphabet), size=(n, length))]
    return np.ascontiguousarray(picks).view(f"S{length}").ravel().astype(str)


def zero_pad(values: np.ndarray, width: int) -> np.ndarray:
    return pd.Series(values.astype(np.int64)).astype(str).str.zfill(width).to_numpy()


@dataclass
class Counters:
    """State carried from day to day: the last bill number used per (issuing point, bill code)."""

    last_no: dict[tuple[str, str], int] = field(default_factory=dict)

    @staticmethod
    def range_start(place_code: str) -> int:
        index = [p.code for p in P.POINTS].index(place_code)
        return (index + 1) * 100_000_000 + 1

    def take(self, place_code: str, code: str, count: int) -> np.ndarray:
        last = self.last_no.get((place_code, code), self.range_start(place_code) - 1)
        numbers = np.arange(last + 1, last + 1 + count, dtype=np.int64)
        self.last_no[(place_code, code)] = last + count
        return numbers


@dataclass
class Incident:
    kind: str
    interface: str
    start: dt.datetime
    end: dt.datetime
    place_code: str | None = None

    def manifest(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "interface": self.interface,
            "start": self.start.isoformat(sep=" "),
            "end": self.end.isoformat(sep=" "),
            "place_code": self.place_code,
        }


@dataclass
class DayData:
    day: dt.date
    bills: pd.DataFrame
    settlements: pd.DataFrame
    finance: pd.DataFrame
    items: pd.DataFrame | None = None
    payments: pd.DataFrame | None = None
    calls: pd.DataFrame | None = None
    layout: pd.DataFrame | None = None
    manifest: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def add(self, section: str, entries: list[dict[str, Any]]) -> None:
        self.manifest.setdefault(section, []).extend(entries)


class DayGenerator:
    """Builds one day. Use ``generate()`` once per instance."""

    def __init__(
        self,
        cfg: GeneratorConfig,
        day: dt.date,
        n: int,
        counters: Counters,
        incidents: list[Incident],
        inject: bool = True,
    ) -> None:
        self.cfg = cfg
        self.day = day
        self.n = n
        self.counters = counters
        self.incidents = incidents
        self.inject = inject
        self.rng = np.random.default_rng([cfg.seed, day.toordinal()])
        self.day_start = np.datetime64(day, "s")
        self.id_base = (day - EPOCH).days * MAX_PER_DAY
        self.data = DayData(day=day, bills=pd.DataFrame(), settlements=pd.DataFrame(), finance=pd.DataFrame())
        # Bill positions already carrying an anomaly (positions < 2n + margin: blue, red, copies).
        self.used = np.zeros(2 * n + 1024, dtype=bool)

    # ---------------------------------------------------------------- helpers
    def count_for(self, rate: float, pool: int) -> int:
        if not self.inject or rate <= 0 or pool <= 0:
            return 0
        return int(min(pool, max(1, round(rate * self.n))))

    def pick(self, candidates: np.ndarray, count: int) -> np.ndarray:
        """Disjoint random picks: a bill carries at most one anomaly."""
        candidates = np.asarray(candidates, dtype=np.int64)
        free = candidates[~self.used[candidates]]
        if count <= 0 or free.size == 0:
            return np.array([], dtype=np.int64)
        chosen = self.rng.choice(free, size=min(count, free.size), replace=False)
        self.used[chosen] = True
        return np.sort(chosen)

    # ---------------------------------------------------------------- build
    def generate(self) -> DayData:
        bills, items = self._blue_bills()
        bills, items = self._refunds(bills, items)
        self.bills, self.items = bills, items
        self._split_payments()
        self._anomalies_before_numbering()
        self._number()
        self._lifecycle()
        self._people()
        self._anomalies_after_numbering()
        self._finish()
        return self.data

    def _blue_bills(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        rng, n = self.rng, self.n
        shares = np.array([t.share for t in P.BUS_TYPES])
        type_idx = rng.choice(len(P.BUS_TYPES), size=n, p=shares / shares.sum())
        bus_type = np.array([t.code for t in P.BUS_TYPES])[type_idx]
        kind = np.array([t.kind for t in P.BUS_TYPES])[type_idx]
        inpatient = np.array([t.inpatient for t in P.BUS_TYPES])[type_idx]
        place = np.empty(n, dtype=object)
        for t in P.BUS_TYPES:
            mask = bus_type == t.code
            serving = [p.code for p in P.POINTS if t.code in p.bus_types]
            place[mask] = rng.choice(serving, size=int(mask.sum()))
        hour_w = np.array(P.HOUR_WEIGHTS) / sum(P.HOUR_WEIGHTS)
        hours = rng.choice(24, size=n, p=hour_w)
        emergency = bus_type == "03"
        hours[emergency] = rng.integers(0, 24, size=int(emergency.sum()))
        seconds = hours * 3600 + rng.integers(0, 3600, size=n)
        order = np.argsort(seconds, kind="stable")
        bus_type, kind, inpatient, place, seconds, type_idx = (
            a[order] for a in (bus_type, kind, inpatient, place, seconds, type_idx)
        )
        paper = (kind == P.KIND_OUTPATIENT) & (rng.random(n) < self.cfg.paper_rate)
        kind = np.where(paper, P.KIND_PAPER, kind)
        position = np.arange(n, dtype=np.int64)
        yyyymmdd = self.day.strftime("%Y%m%d")
        bills = pd.DataFrame(
            {
                "pos": position,
                "bill_id": self.id_base + position,
                "bus_no": np.char.add(np.char.add(bus_type.astype(str), yyyymmdd), zero_pad(position + 1, 7)),
                "bus_type": bus_type,
                "kind": kind,
                "inpatient": inpatient,
                "place_code": place,
                "data_type": np.where(paper, 3, 1),
                "state": 1,
                "direction": 1,
                "bus_dt": self.day_start + seconds * SEC,
                "relate_pos": -1,
            }
        )
        # Items: a number of lines per bill from the business type's range.
        lo = np.array([t.items[0] for t in P.BUS_TYPES])[type_idx]
        hi = np.array([t.items[1] for t in P.BUS_TYPES])[type_idx]
        k = rng.integers(lo, hi + 1)
        scale = np.array([t.price_scale for t in P.BUS_TYPES])[type_idx]
        bill_of_item = np.repeat(position, k)
        first_line = np.repeat(np.cumsum(k) - k, k)
        sort_no = np.arange(bill_of_item.size, dtype=np.int64) - first_line + 1
        catalogue = [i for i in P.ITEMS if not i[5]]
        choice = rng.integers(0, len(catalogue), size=bill_of_item.size)
        code = np.array([c[0] for c in catalogue])[choice]
        name = np.array([c[1] for c in catalogue])[choice]
        unit = np.array([c[2] for c in catalogue])[choice]
        low = np.array([c[3] for c in catalogue])[choice]
        high = np.array([c[4] for c in catalogue])[choice]
        number = rng.integers(1, 4, size=bill_of_item.size)
        # Business types with fixed items.
        item_type = bus_type[bill_of_item]
        registration = item_type == "06"
        code[registration], name[registration], unit[registration] = "A002", "挂号费", "次"
        low[registration], high[registration], number[registration] = 5.0, 50.0, 1
        prepay = np.isin(item_type, ["07", "12"])
        code[prepay], name[prepay], unit[prepay] = "P001", "预交金", "次"
        low[prepay], high[prepay], number[prepay] = 100.0, 500.0, 1
        # Inpatient settlements start with bed and nursing days.
        stay = rng.integers(2, 15, size=n)
        inpatient_item = (item_type == "01") & (sort_no <= 2)
        code[inpatient_item & (sort_no == 1)] = "F001"
        name[inpatient_item & (sort_no == 1)] = "床位费"
        code[inpatient_item & (sort_no == 2)] = "F002"
        name[inpatient_item & (sort_no == 2)] = "护理费"
        unit[inpatient_item] = "天"
        low[inpatient_item], high[inpatient_item] = 25.0, 90.0
        number[inpatient_item] = stay[bill_of_item][inpatient_item]
        item_scale = np.where(inpatient_item | registration, 1.0, scale[bill_of_item])
        std_cents = np.round((low + rng.random(bill_of_item.size) * (high - low)) * np.sqrt(item_scale) * 100)
        std_cents = np.maximum(std_cents, 1).astype(np.int64)
        items = pd.DataFrame(
            {
                "pos": bill_of_item,
                "sort_no": sort_no,
                "charge_code": code,
                "charge_name": name,
                "unit": unit,
                "std_cents": std_cents,
                "number": number.astype(np.int64),
                "amt_cents": std_cents * number,
            }
        )
        bills["total_cents"] = np.bincount(bill_of_item, weights=items["amt_cents"], minlength=n).astype(
            np.int64
        )
        bills["stay"] = stay
        return bills, items

    def _refunds(self, bills: pd.DataFrame, items: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Some payments are refunded later the same day: the blue bill is reversed by a red one."""
        rng = self.rng
        count = round(self.cfg.refund_rate * self.n) if self.n >= 20 else 0
        late = bills["bus_dt"] < self.day_start + np.timedelta64(20 * 3600, "s")
        targets = np.sort(rng.choice(bills.index[late], size=min(count, int(late.sum())), replace=False))
        self.refund_targets = targets
        if targets.size == 0:
            self.red_positions = np.array([], dtype=np.int64)
            return bills, items
        red = bills.loc[targets].copy()
        start = len(bills)
        red_pos = np.arange(start, start + len(red), dtype=np.int64)
        red["relate_pos"] = red["pos"].to_numpy()
        red["pos"] = red_pos
        red["bill_id"] = self.id_base + red_pos
        red["bus_no"] = np.char.add(
            np.char.add(red["bus_type"].to_numpy().astype(str), self.day.strftime("%Y%m%d")),
            zero_pad(9_000_000 + np.arange(1, len(red) + 1), 7),
        )
        red["data_type"] = np.where(red["data_type"] == 3, 4, 2)
        red["direction"] = -1
        delay = rng.integers(600, 4 * 3600, size=len(red))
        day_end = self.day_start + np.timedelta64(86399, "s")
        red["bus_dt"] = np.minimum(red["bus_dt"].to_numpy() + delay * SEC, day_end)
        bills.loc[targets, "state"] = 3
        red_items = items[items["pos"].isin(targets)].copy()
        red_items["pos"] = red_items["pos"].map(dict(zip(targets, red_pos, strict=True)))
        self.red_positions = red_pos
        return (
            pd.concat([bills, red.set_index(pd.Index(red_pos))]),
            pd.concat([items, red_items], ignore_index=True),
        )

    def _split_payments(self) -> None:
        """Insurance split and payment channels; every part in cents so sums balance exactly."""
        b, rng = self.bills, self.rng
        n = len(b)
        total = b["total_cents"].to_numpy()
        insured = rng.random(n) < self.cfg.insured_rate
        insured &= ~b["bus_type"].isin(["05", "06", "07", "12"]).to_numpy()
        fund = np.where(insured, np.floor(total * rng.uniform(0.35, 0.75, n)), 0).astype(np.int64)
        account = np.where(insured, np.floor((total - fund) * rng.uniform(0, 0.5, n)), 0).astype(np.int64)
        other = np.where(insured & (rng.random(n) < 0.1), np.floor((total - fund - account) * 0.2), 0).astype(
            np.int64
        )
        cash = total - fund - account - other
        personal = account + cash
        own = np.floor(personal * np.where(insured, rng.uniform(0, 0.3, n), 1.0)).astype(np.int64)
        conceited = np.floor((personal - own) * rng.uniform(0, 0.4, n)).astype(np.int64)
        b["fund_cents"], b["account_cents"], b["other_cents"], b["cash_cents"] = fund, account, other, cash
        b["own_cents"], b["conceited_cents"], b["selfpay_cents"] = own, conceited, personal - own - conceited
        codes = np.array([c[0] for c in P.CASH_CHANNELS])
        weights = np.array([c[2] for c in P.CASH_CHANNELS])
        channel = rng.choice(codes, size=n, p=weights / weights.sum())
        kiosk = b["place_code"].isin(["MZ03", "WX01"]).to_numpy()
        channel[kiosk] = rng.choice(["04", "05"], size=int(kiosk.sum()))
        # A red bill refunds through the channel of its blue bill.
        red = b["relate_pos"].to_numpy() >= 0
        b["pay_channel"] = channel
        if red.any():
            blue_of = b["relate_pos"].to_numpy()[red]
            for col in (
                "fund_cents",
                "account_cents",
                "other_cents",
                "cash_cents",
                "own_cents",
                "conceited_cents",
                "selfpay_cents",
                "pay_channel",
            ):
                b.loc[red, col] = b.loc[blue_of, col].to_numpy()
        self.bills = b

    def _payments(self, b: pd.DataFrame) -> pd.DataFrame:
        parts = []
        for column, code in (
            ("fund_cents", P.CHANNEL_FUND),
            ("account_cents", P.CHANNEL_ACCOUNT),
            ("other_cents", P.CHANNEL_OTHER_FUND),
        ):
            mask = b[column] > 0
            parts.append(
                pd.DataFrame(
                    {"pos": b.loc[mask, "pos"], "pay_channel": code, "amt_cents": b.loc[mask, column]}
                )
            )
        mask = b["cash_cents"] > 0
        parts.append(
            pd.DataFrame(
                {
                    "pos": b.loc[mask, "pos"],
                    "pay_channel": b.loc[mask, "pay_channel"],
                    "amt_cents": b.loc[mask, "cash_cents"],
                }
            )
        )
        return pd.concat(parts, ignore_index=True)

    # ---------------------------------------------------------------- anomalies that add bills
    def _candidates(self) -> np.ndarray:
        """Clean blue e-bills: not refunded, not paper; safe targets for an anomaly."""
        b = self.bills
        mask = (b["direction"] == 1) & (b["state"] == 1) & (b["data_type"] == 1)
        return b.index[mask].to_numpy()

    def _append_copy(self, source: np.ndarray, bus_no: np.ndarray | None = None) -> np.ndarray:
        """Append copies of bills (and their items) with new positions; returns the new positions."""
        b = self.bills
        start = int(b["pos"].max()) + 1
        new_pos = np.arange(start, start + len(source), dtype=np.int64)
        copy = b.loc[source].copy()
        copy["pos"] = new_pos
        copy["bill_id"] = self.id_base + new_pos
        if bus_no is not None:
            copy["bus_no"] = bus_no
        copy.index = pd.Index(new_pos)
        copy_items = self.items[self.items["pos"].isin(source)].copy()
        copy_items["pos"] = copy_items["pos"].map(dict(zip(source, new_pos, strict=True)))
        self.bills = pd.concat([b, copy])
        self.items = pd.concat([self.items, copy_items], ignore_index=True)
        self.used[new_pos] = True
        return new_pos

    def _anomalies_before_numbering(self) -> None:
        rates = self.cfg.rates
        self.recon: dict[str, np.ndarray] = {}
        self.spec: dict[str, np.ndarray] = {}
        # Duplicate: the platform issued a second live bill for the same busNo minutes later.
        targets = self.pick(self._candidates(), self.count_for(rates.duplicate, len(self._candidates())))
        dup = self._append_copy(targets)
        self.bills.loc[dup, "bus_dt"] = (
            self.bills.loc[dup, "bus_dt"] + self.rng.integers(60, 1800, len(dup)) * SEC
        )
        self.recon["duplicate"] = targets
        self.duplicate_copies = dup
        # Red-bill rules need red bills to break.
        reds = self.red_positions
        for rule in ("red_at_most_one", "red_amount_equals_blue", "red_has_blue"):
            self.spec[rule] = self.pick(reds, self.count_for(self._spec_rate(rule), len(reds)))
        second = self.spec["red_at_most_one"]
        if second.size:
            bus = np.char.add(self.bills.loc[second, "bus_no"].to_numpy().astype(str), "B")
            self.second_reds = self._append_copy(second, bus_no=bus)
            self.bills.loc[self.second_reds, "bus_dt"] = np.minimum(
                self.bills.loc[self.second_reds, "bus_dt"] + 300 * SEC,
                self.day_start + np.timedelta64(86399, "s"),
            )
        else:
            self.second_reds = np.array([], dtype=np.int64)
        # A red bill for less than its blue bill: it carries all but the last item line.
        short = [p for p in self.spec["red_amount_equals_blue"] if (self.items["pos"] == p).sum() >= 2]
        self.spec["red_amount_equals_blue"] = np.array(short, dtype=np.int64)
        for p in short:
            lines = self.items.index[self.items["pos"] == p]
            last = lines[self.items.loc[lines, "sort_no"].argmax()]
            self.items = self.items.drop(index=last)
            total = int(self.items.loc[self.items["pos"] == p, "amt_cents"].sum())
            self.bills.loc[p, ["total_cents", "cash_cents", "own_cents", "selfpay_cents"]] = [
                total,
                total,
                total,
                0,
            ]
            self.bills.loc[p, ["fund_cents", "account_cents", "other_cents", "conceited_cents"]] = 0

    def _spec_rate(self, rule: str) -> float:
        return self.cfg.rates.spec_overrides.get(rule, self.cfg.rates.spec)

    # ---------------------------------------------------------------- identity and times
    def _number(self) -> None:
        """Bill codes and sequential numbers per issuing point, in issue order."""
        b = self.bills.sort_values(["bus_dt", "pos"], kind="stable")
        year = self.day.year
        kinds = b["kind"].to_numpy().astype(str)
        code = np.char.add(f"{P.REGION}{P.BILL_CLASS}", np.char.add(kinds, f"{year % 100:02d}"))
        b["bill_batch_code"] = code
        numbers = np.zeros(len(b), dtype=np.int64)
        places = b["place_code"].to_numpy().astype(str)
        group_keys, group_of = np.unique(np.char.add(np.char.add(places, "|"), code), return_inverse=True)
        for g, key in enumerate(group_keys):
            place, bill_code = str(key).split("|")
            mask = group_of == g
            numbers[mask] = self.counters.take(place, bill_code, int(mask.sum()))
        b["bill_no"] = zero_pad(numbers, 10)
        b["check_code"] = random_strings(self.rng, len(b), 6)
        b = b.sort_index()
        red = b["relate_pos"] >= 0
        b["relate_bill_batch_code"] = None
        b["relate_bill_no"] = None
        blue = b.loc[red, "relate_pos"].to_numpy()
        b.loc[red, "relate_bill_batch_code"] = b.loc[blue, "bill_batch_code"].to_numpy()
        b.loc[red, "relate_bill_no"] = b.loc[blue, "bill_no"].to_numpy()
        self.bills = b

    def _lifecycle(self) -> None:
        b, rng = self.bills, self.rng
        n = len(b)
        ivc = b["bus_dt"].to_numpy() + rng.integers(0, 4, n) * SEC
        b["ivc_dt"] = ivc
        b["sign_dt"] = ivc
        b["upload_dt"] = ivc + rng.integers(1, 60, n) * SEC
        b["supervise_dt"] = b["upload_dt"].to_numpy() + rng.integers(1, 4, n) * SEC
        b["archive_dt"] = b["supervise_dt"].to_numpy() + rng.integers(60, 600, n) * SEC
        ebill = b["data_type"].isin([1, 2]).to_numpy() & (b["direction"].to_numpy() == 1)
        delay = np.exp(rng.normal(np.log(90), 0.8, n)).astype(np.int64)
        b["deliver_dt"] = np.where(ebill, ivc + delay * SEC, np.datetime64("NaT"))
        ch = np.array([c for c, _ in P.DELIVERY_CHANNELS])
        w = np.array([w for _, w in P.DELIVERY_CHANNELS])
        b["deliver_channel"] = np.where(ebill, rng.choice(ch, size=n, p=w), None)
        b["accounted"] = (rng.random(n) < 0.2).astype(int)
        self.bills = b

    def _people(self) -> None:
        b, rng = self.bills, self.rng
        n = len(b)
        blue = b["relate_pos"].to_numpy() < 0
        sur = np.array(list(P.SURNAMES))[rng.integers(0, len(P.SURNAMES), n)]
        g1 = np.array(list(P.GIVEN))[rng.integers(0, len(P.GIVEN), n)]
        g2 = np.where(rng.random(n) < 0.6, np.array(list(P.GIVEN))[rng.integers(0, len(P.GIVEN), n)], "")
        payer = np.char.add(np.char.add(sur, g1), g2)
        birth = rng.integers(0, 90 * 365, n)
        birth_dates = np.datetime64("1935-01-01") + birth.astype("timedelta64[D]")
        birth_txt = np.char.replace(np.datetime_as_string(birth_dates, unit="D"), "-", "")
        id_card = np.char.add(
            np.char.add(np.char.add("4401", zero_pad(rng.integers(0, 100, n), 2)), birth_txt.astype(str)),
            random_strings(rng, n, 4, DIGITS),
        )
        age = ((np.datetime64(self.day) - birth_dates).astype(np.int64) // 365).astype(str)
        b["payer"] = payer
        b["payer_type"] = np.where(b["bus_type"].to_numpy() == "05", np.where(rng.random(n) < 0.3, 2, 1), 1)
        b["id_card_no"] = id_card
        b["card_type"] = rng.choice(["1101", "1102", "3101"], size=n, p=[0.5, 0.35, 0.15])
        b["card_no"] = random_strings(rng, n, 12, DIGITS)
        b["sex"] = rng.choice(["男", "女"], size=n)
        b["age"] = np.char.add(age, "岁")
        b["patient_no"] = np.char.add("MZ", random_strings(rng, n, 9, DIGITS))
        b["hospital_no"] = np.char.add("ZY", random_strings(rng, n, 8, DIGITS))
        inpatient = b["inpatient"].to_numpy()
        b.loc[~inpatient, "hospital_no"] = None
        b.loc[inpatient, "patient_no"] = None
        stay = b["stay"].to_numpy()
        day = np.datetime64(self.day)
        b["in_date"] = np.where(inpatient, day - stay.astype("timedelta64[D]"), np.datetime64("NaT"))
        b["out_date"] = np.where(b["bus_type"].to_numpy() == "01", day, np.datetime64("NaT"))
        insured = b["fund_cents"].to_numpy() > 0
        b["med_care_type_code"] = np.where(insured, rng.choice(["310", "390"], size=n), None)
        b["med_care_no"] = np.where(insured, random_strings(rng, n, 12, DIGITS), None)
        b["med_institution_type"] = "A3"
        cashier = np.array(P.CASHIERS)[rng.integers(0, 4, n)]
        cashier[b["place_code"].isin(["MZ03"]).to_numpy()] = "自助机"
        cashier[b["place_code"].isin(["WX01"]).to_numpy()] = "微信渠道"
        b["payee"] = cashier
        b["checker"] = "复核员01"
        # A red bill belongs to the same person as its blue bill.
        red = ~blue
        if red.any():
            blue_of = b["relate_pos"].to_numpy()[red]
            for col in (
                "payer",
                "payer_type",
                "id_card_no",
                "card_type",
                "card_no",
                "sex",
                "age",
                "patient_no",
                "hospital_no",
                "in_date",
                "out_date",
                "med_care_type_code",
                "med_care_no",
            ):
                b.loc[red, col] = b.loc[blue_of, col].to_numpy()
        self.bills = b

    # ---------------------------------------------------------------- anomalies on finished bills
    def _anomalies_after_numbering(self) -> None:
        b = self.bills
        cand = self._candidates()
        # Duplicate copies share the original's busNo; keep the originals clean too.
        for rule in SPEC_RULES:
            if rule.startswith("red_"):
                continue
            pool = cand
            if rule == "inpatient_fields":
                pool = b.index[(b["bus_type"] == "01") & b.index.isin(cand)].to_numpy()
            elif rule == "outpatient_fields":
                pool = b.index[b["bus_type"].isin(["02", "03", "04"]) & b.index.isin(cand)].to_numpy()
            elif rule in ("item_amount_product",):
                counts = self.items.groupby("pos").size()
                pool = np.intersect1d(cand, counts.index[counts >= 2].to_numpy())
            elif rule == "issue_after_business":
                pool = b.index[
                    (b["bus_dt"] >= self.day_start + np.timedelta64(3600, "s")) & b.index.isin(cand)
                ].to_numpy()
            elif rule == "issue_not_future":
                future = self._future_time()
                if future is None:
                    self.spec[rule] = np.array([], dtype=np.int64)
                    continue
            self.spec[rule] = self.pick(pool, self.count_for(self._spec_rate(rule), len(pool)))
        self._apply_spec()
        rates = self.cfg.rates
        for cls in (
            "missing_in_platform",
            "missing_in_his",
            "amount_mismatch",
            "bill_number_mismatch",
            "check_code_mismatch",
            "state_mismatch",
        ):
            pool = cand
            if cls == "state_mismatch":
                pool = np.concatenate([cand, self.refund_targets])
            self.recon[cls] = self.pick(pool, self.count_for(getattr(rates, cls), len(pool)))
        self.his_errors = {
            kind: self.pick(cand, self.count_for(getattr(rates, f"his_{kind}"), len(cand)))
            for kind in ("null_bus_no", "bad_amount_text", "unknown_channel")
        }
        self.transit = {
            "before_supervision": self.pick(cand, self.count_for(rates.stuck_before_supervision, len(cand))),
            "before_archive": self.pick(cand, self.count_for(rates.stuck_before_archive, len(cand))),
        }

    def _future_time(self) -> np.datetime64 | None:
        """An issue time after 'today' that still falls in the bill's year (its partition)."""
        future = dt.datetime.combine(self.cfg.today + dt.timedelta(days=20), dt.time(10, 0))
        if future.year != self.day.year or future.date() <= self.cfg.today:
            return None
        return np.datetime64(future, "s")

    def _apply_spec(self) -> None:
        b, it = self.bills, self.items
        s = self.spec
        b.loc[s["code_format"], "bill_batch_code"] = b.loc[s["code_format"], "bill_batch_code"].str[:7]
        b.loc[s["number_format"], "bill_no"] = "X" + b.loc[s["number_format"], "bill_no"].str[1:]
        b.loc[s["check_code_format"], "check_code"] = (
            b.loc[s["check_code_format"], "check_code"].str[:4] + "-"
        )
        b.loc[s["payer_present"], "payer"] = ""
        b.loc[s["issue_after_business"], "ivc_dt"] = b.loc[s["issue_after_business"], "bus_dt"] - 300 * SEC
        if s["issue_not_future"].size:
            future = self._future_time()
            b.loc[s["issue_not_future"], "ivc_dt"] = future
            for col in ("sign_dt", "upload_dt", "supervise_dt"):
                b.loc[s["issue_not_future"], col] = future
            b.loc[s["issue_not_future"], "archive_dt"] = future + 300 * SEC
            b.loc[s["issue_not_future"], "deliver_dt"] = future + 60 * SEC
        b.loc[s["inpatient_fields"], "out_date"] = b.loc[s["inpatient_fields"], "in_date"] - np.timedelta64(
            1, "D"
        )
        b.loc[s["outpatient_fields"], "patient_no"] = None
        self.channel_sum_targets = s["channels_sum_total"]
        # Item rules: keep the bill total equal to the item sum unless the rule is about that sum.
        for p in s["item_amount_product"]:
            lines = it.index[it["pos"] == p][:2]
            it.loc[lines[0], "amt_cents"] += 1
            it.loc[lines[1], "amt_cents"] -= 1
        for p in s["item_sort_sequence"]:
            lines = it.index[it["pos"] == p]
            it.loc[lines[-1], "sort_no"] += 1
        extra = []
        for p in s["item_nonzero"]:
            n_lines = int((it["pos"] == p).sum())
            extra.append((p, n_lines + 1, "C001", "治疗费", "次", 0, 1, 0))
        for p in s["item_unit_price_nonnegative"]:
            n_lines = int((it["pos"] == p).sum())
            extra.append((p, n_lines + 1, "D001", "卫生材料费（退）", "件", -500, 1, -500))
            extra.append((p, n_lines + 2, "D001", "卫生材料费", "件", 500, 1, 500))
        if extra:
            cols = [
                "pos",
                "sort_no",
                "charge_code",
                "charge_name",
                "unit",
                "std_cents",
                "number",
                "amt_cents",
            ]
            it = pd.concat([it, pd.DataFrame(extra, columns=cols)], ignore_index=True)
        for p in s["items_sum_total"]:
            line = it.index[it["pos"] == p][0]
            it.loc[line, "std_cents"] += 100
            it.loc[line, "amt_cents"] = it.loc[line, "std_cents"] * it.loc[line, "number"]
        # A red bill that points at a blue bill that does not exist.
        b.loc[s["red_has_blue"], "relate_bill_no"] = "9999999999"
        self.items = it

    # ---------------------------------------------------------------- outputs
    def _finish(self) -> None:
        cfg, b = self.cfg, self.bills
        d = self.data
        # Transit: stuck bills and the effect of a finance outage on uploads.
        outage = [i for i in self.incidents if i.kind == "remote_down" and i.interface == "finance_upload"]
        outage_mask = np.zeros(len(b), dtype=bool)
        for inc in outage:
            up = b["upload_dt"].to_numpy()
            outage_mask |= (up >= np.datetime64(inc.start, "s")) & (up < np.datetime64(inc.end, "s"))
        for inc in self.incidents:
            if inc.kind == "delivery_delay":
                late = (b["ivc_dt"] >= np.datetime64(inc.start, "s")) & (
                    b["ivc_dt"] < np.datetime64(inc.end, "s")
                )
                late &= b["deliver_dt"].notna()
                delay = self.rng.integers(2 * 3600, 5 * 3600, int(late.sum())) * SEC
                b.loc[late, "deliver_dt"] = b.loc[late, "deliver_dt"].to_numpy() + delay
        before_sup = b.index.isin(self.transit["before_supervision"]) | outage_mask
        before_arc = b.index.isin(self.transit["before_archive"]) & ~before_sup  # an outage wins
        for col in ("upload_dt", "supervise_dt", "archive_dt"):
            b.loc[before_sup, col] = np.datetime64("NaT")
        b.loc[before_arc, "archive_dt"] = np.datetime64("NaT")
        # Missing in the platform: HIS took the payment, no bill exists.
        missing = self.recon["missing_in_platform"]
        his = self._settlements(b)
        his.loc[his["pos"].isin(missing), ["bill_batch_code", "bill_no", "check_code"]] = None
        platform = b[~b.index.isin(missing)]
        his = his[~his["pos"].isin(self.recon["missing_in_his"])]
        # Duplicates have no settlement of their own.
        his = his[~his["pos"].isin(self.duplicate_copies)]
        self._his_anomalies(his, b)
        d.settlements = his.drop(columns=["pos"])
        d.bills = self._bill_frame(platform)
        # The header's split stops balancing; the channel rows (built from the split) still do.
        split = d.bills["bill_id"].isin(b.loc[self.spec["payment_split_balance"], "bill_id"])
        d.bills.loc[split, "fund_pay"] = d.bills.loc[split, "fund_pay"] + 100
        d.finance = self._finance_frame(platform)
        keep = set(platform["pos"].tolist())
        if not cfg.lean:
            items = self.items[self.items["pos"].isin(keep)]
            d.items = self._item_frame(items, platform)
            pay = self._payments(platform)
            pay = pay.sort_values(["pos", "pay_channel"]).reset_index(drop=True)
            for p in self.channel_sum_targets:
                rows = pay.index[pay["pos"] == p]
                pay.loc[rows[-1], "amt_cents"] += 50
            d.payments = self._payment_frame(pay, platform)
            d.calls = self._calls(platform)
            d.layout = self._layout(platform)
        self._manifest(b, his, outage_mask)

    def _settlements(self, b: pd.DataFrame) -> pd.DataFrame:
        red = b["relate_pos"].to_numpy() >= 0
        relate_bus = np.full(len(b), None, dtype=object)
        relate_bus[red] = b.loc[b["relate_pos"].to_numpy()[red], "bus_no"].to_numpy()
        return pd.DataFrame(
            {
                "pos": b["pos"].to_numpy(),
                "settle_id": b["bill_id"].to_numpy(),
                "bus_no": b["bus_no"].to_numpy(),
                "bus_type": b["bus_type"].to_numpy(),
                "place_code": b["place_code"].to_numpy(),
                "settle_time": b["bus_dt"].to_numpy(),
                "direction": b["direction"].to_numpy(),
                "state": b["state"].to_numpy(),
                "amount_text": money(b["total_cents"]),
                "pay_channel": b["pay_channel"].to_numpy(),
                "voucher_type": np.where(b["data_type"].isin([3, 4]), 2, 1),
                "relate_bus_no": relate_bus,
                "bill_batch_code": b["bill_batch_code"].to_numpy(),
                "bill_no": b["bill_no"].to_numpy(),
                "check_code": b["check_code"].to_numpy(),
                "patient_no": b["patient_no"].to_numpy(),
                "hospital_no": b["hospital_no"].to_numpy(),
                "payer": b["payer"].to_numpy(),
            },
            index=b.index,
        )

    def _his_anomalies(self, his: pd.DataFrame, b: pd.DataFrame) -> None:
        rng = self.rng
        r = self.recon
        idx = his.index
        sel = idx.isin(r["amount_mismatch"])
        delta = rng.choice([1, -1, 100, -100, 1000, 2500], size=int(sel.sum()))
        his.loc[sel, "amount_text"] = money(b.loc[his.index[sel], "total_cents"].to_numpy() + delta)
        sel = idx.isin(r["bill_number_mismatch"])
        his.loc[sel, "bill_no"] = zero_pad(his.loc[sel, "bill_no"].astype(np.int64).to_numpy() + 7, 10)
        sel = idx.isin(r["check_code_mismatch"])
        his.loc[sel, "check_code"] = random_strings(rng, int(sel.sum()), 6)
        sel = idx.isin(r["state_mismatch"])
        his.loc[sel, "state"] = np.where(his.loc[sel, "state"].to_numpy() == 3, 1, 3)
        e = self.his_errors
        his.loc[idx.isin(e["null_bus_no"]), "bus_no"] = None
        sel = idx.isin(e["bad_amount_text"])
        his.loc[sel, "amount_text"] = rng.choice(["12,3.4x", "N/A", "¥88.00", "--"], size=int(sel.sum()))
        his.loc[idx.isin(e["unknown_channel"]), "pay_channel"] = "99"

    def _bill_frame(self, b: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "bill_id": b["bill_id"],
                "bus_no": b["bus_no"],
                "bus_type": b["bus_type"],
                "place_code": b["place_code"],
                "bill_batch_code": b["bill_batch_code"],
                "bill_no": b["bill_no"],
                "check_code": b["check_code"],
                "data_type": b["data_type"],
                "state": b["state"],
                "direction": b["direction"],
                "relate_bill_batch_code": b["relate_bill_batch_code"],
                "relate_bill_no": b["relate_bill_no"],
                "pay_channel": b["pay_channel"],
                "payer": b["payer"],
                "payer_type": b["payer_type"],
                "id_card_no": b["id_card_no"],
                "card_type": b["card_type"],
                "card_no": b["card_no"],
                "payee": b["payee"],
                "checker": b["checker"],
                "total_amt": b["total_cents"],
                "fund_pay": b["fund_cents"],
                "account_pay": b["account_cents"],
                "otherfund_pay": b["other_cents"],
                "own_pay": b["own_cents"],
                "self_conceited_amt": b["conceited_cents"],
                "self_pay_amt": b["selfpay_cents"],
                "self_cash_pay": b["cash_cents"],
                "med_care_type_code": b["med_care_type_code"],
                "med_care_no": b["med_care_no"],
                "med_institution_type": b["med_institution_type"],
                "patient_no": b["patient_no"],
                "hospital_no": b["hospital_no"],
                "in_hospital_date": b["in_date"],
                "out_hospital_date": b["out_date"],
                "sex": b["sex"],
                "age": b["age"],
                "bus_date_time": b["bus_dt"],
                "ivc_date_time": b["ivc_dt"],
                "sign_time": b["sign_dt"],
                "upload_time": b["upload_dt"],
                "supervise_time": b["supervise_dt"],
                "archive_time": b["archive_dt"],
                "deliver_time": b["deliver_dt"],
                "deliver_channel": b["deliver_channel"],
                "accounted": b["accounted"],
                "remark": None,
            }
        )

    def _item_frame(self, items: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
        lookup = b.set_index("pos")
        return pd.DataFrame(
            {
                "bill_id": lookup.loc[items["pos"], "bill_id"].to_numpy(),
                "ivc_date_time": lookup.loc[items["pos"], "ivc_dt"].to_numpy(),
                "sort_no": items["sort_no"].to_numpy(),
                "charge_code": items["charge_code"].to_numpy(),
                "charge_name": items["charge_name"].to_numpy(),
                "unit": items["unit"].to_numpy(),
                "std": items["std_cents"].to_numpy(),
                "number": items["number"].to_numpy(),
                "amt": items["amt_cents"].to_numpy(),
                "self_amt": np.zeros(len(items), dtype=np.int64),
            }
        )

    def _payment_frame(self, pay: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
        lookup = b.set_index("pos")
        return pd.DataFrame(
            {
                "bill_id": lookup.loc[pay["pos"], "bill_id"].to_numpy(),
                "ivc_date_time": lookup.loc[pay["pos"], "ivc_dt"].to_numpy(),
                "pay_channel": pay["pay_channel"].to_numpy(),
                "pay_amt": pay["amt_cents"].to_numpy(),
            }
        )

    def _finance_frame(self, b: pd.DataFrame) -> pd.DataFrame:
        """What the finance platform holds: every bill that reached supervision."""
        sup = b[b["supervise_dt"].notna()]
        return pd.DataFrame(
            {
                "bill_batch_code": sup["bill_batch_code"],
                "bill_no": sup["bill_no"],
                "check_code": sup["check_code"],
                "bus_no": sup["bus_no"],
                "place_code": sup["place_code"],
                "ivc_date": pd.to_datetime(sup["ivc_dt"]).dt.date,
                "ivc_date_time": sup["ivc_dt"],
                "total_amt": sup["total_cents"],
                "direction": sup["direction"],
                "upload_count": 1,
                "first_upload_time": sup["upload_dt"],
                "last_upload_time": sup["upload_dt"],
                "supervise_time": sup["supervise_dt"],
                "archive_count": sup["archive_dt"].notna().astype(int),
                "archive_time": sup["archive_dt"],
            }
        )

    def _layout(self, b: pd.DataFrame) -> pd.DataFrame:
        e = b[b["data_type"].isin([1, 2])]
        ivc = pd.to_datetime(e["ivc_dt"])
        path = ivc.dt.strftime("%Y/%m/%d/").to_numpy().astype(str)
        name = np.char.add(
            np.char.add(e["bill_batch_code"].to_numpy().astype(str), "-"), e["bill_no"].to_numpy().astype(str)
        )
        return pd.DataFrame(
            {
                "bill_id": e["bill_id"],
                "bill_batch_code": e["bill_batch_code"],
                "bill_no": e["bill_no"],
                "ivc_date": ivc.dt.date,
                "file_type": "PDF",
                "file_path": np.char.add(np.char.add(path, name), ".pdf"),
                "size_bytes": self.rng.integers(30_000, 90_000, len(e)),
                "sha256": None,
                "archive_path": None,
                "archived_time": None,
            }
        )

    def _calls(self, b: pd.DataFrame) -> pd.DataFrame:
        """The platform's interface call log: every bill's calls, plus the incidents' failures."""
        rng = self.rng
        frames = []
        n = len(b)
        red = b["direction"].to_numpy() == -1
        inpatient = b["inpatient"].to_numpy()
        service = np.where(
            red, "writeOffEBill", np.where(inpatient, "invEBillHospitalized", "invoiceEBillOutpatient")
        )
        plan = [
            ("his_issue", service, b["bus_dt"].to_numpy(), np.ones(n, dtype=bool)),
            ("signature", np.full(n, "signData"), b["sign_dt"].to_numpy(), np.ones(n, dtype=bool)),
            (
                "finance_upload",
                np.full(n, "uploadBill"),
                b["upload_dt"].to_numpy(),
                b["upload_dt"].notna().to_numpy(),
            ),
            (
                "delivery",
                np.full(n, "deliverEBill"),
                b["deliver_dt"].to_numpy(),
                b["deliver_dt"].notna().to_numpy(),
            ),
        ]
        for interface, services, times, mask in plan:
            median, sigma = P.INTERFACES[interface]
            duration = np.exp(rng.normal(np.log(median), sigma, n)).astype(np.int64) + 1
            ok = rng.random(n) >= self.cfg.random_failure_rate
            code = np.where(ok, "S0000", "E9001")
            frame = pd.DataFrame(
                {
                    "interface": interface,
                    "service_name": services,
                    "place_code": b["place_code"].to_numpy(),
                    "bus_no": b["bus_no"].to_numpy(),
                    "bill_id": b["bill_id"].to_numpy(),
                    "call_time": times,
                    "duration_ms": duration,
                    "success": ok,
                    "result_code": code,
                    "error_msg": np.where(ok, None, "系统繁忙 system busy"),
                }
            )[mask]
            frames.append(frame)
        calls = pd.concat(frames, ignore_index=True)
        calls = self._apply_incidents(calls, b)
        calls = calls.sort_values("call_time", kind="stable").reset_index(drop=True)
        calls.insert(0, "call_id", self.id_base * 10 + np.arange(len(calls), dtype=np.int64))
        return calls

    def _apply_incidents(self, calls: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
        rng = self.rng
        extra = []
        for inc in self.incidents:
            start, end = np.datetime64(inc.start, "s"), np.datetime64(inc.end, "s")
            if inc.kind == "remote_down":
                # Every attempt in the window failed to connect; the bill platform tried each
                # affected bill (retrying every few minutes) and logged the failures.
                if inc.interface == "finance_upload":
                    up_window = (b["ivc_dt"] >= start - 60 * SEC) & (b["ivc_dt"] < end)
                    affected = b[up_window & b["upload_dt"].isna()]
                else:
                    affected = b[(b["ivc_dt"] >= start) & (b["ivc_dt"] < end)]
                times = np.clip(
                    affected["ivc_dt"].to_numpy() + rng.integers(1, 30, len(affected)) * SEC, start, end - SEC
                )
                extra.append(
                    pd.DataFrame(
                        {
                            "interface": inc.interface,
                            "service_name": "uploadBill" if inc.interface == "finance_upload" else "signData",
                            "place_code": affected["place_code"].to_numpy(),
                            "bus_no": affected["bus_no"].to_numpy(),
                            "bill_id": affected["bill_id"].to_numpy(),
                            "call_time": times,
                            "duration_ms": rng.integers(3000, 3100, len(affected)),
                            "success": False,
                            "result_code": "CONN_REFUSED",
                            "error_msg": "connect to front-end machine failed: Connection refused",
                        }
                    )
                )
                in_window = (
                    (calls["interface"] == inc.interface)
                    & (calls["call_time"] >= start)
                    & (calls["call_time"] < end)
                )
                calls.loc[in_window, ["success", "result_code"]] = [False, "CONN_REFUSED"]
                calls.loc[in_window, "error_msg"] = "connect to front-end machine failed: Connection refused"
            elif inc.kind == "degraded":
                sel = (
                    (calls["interface"] == inc.interface)
                    & (calls["call_time"] >= start)
                    & (calls["call_time"] < end)
                )
                calls.loc[sel, "duration_ms"] = calls.loc[sel, "duration_ms"] * 12 + 1500
                calls.loc[sel, ["success", "result_code"]] = [True, "S0000"]
                calls.loc[sel, "error_msg"] = None
            elif inc.kind == "local":
                # One issuing point's requests failed first time (its local service was broken);
                # HIS retried each one and the retry succeeded.
                sel = (
                    (calls["interface"] == inc.interface)
                    & (calls["place_code"] == inc.place_code)
                    & (calls["call_time"] >= start)
                    & (calls["call_time"] < end)
                )
                failed = calls[sel].copy()
                failed["call_time"] = failed["call_time"] - 2 * SEC
                failed["success"] = False
                failed["result_code"] = "E1005"
                failed["error_msg"] = "开票点本地服务异常 local issuing service error"
                extra.append(failed)
        if extra:
            calls = pd.concat([calls, *extra], ignore_index=True)
        return calls

    def _manifest(self, b: pd.DataFrame, his: pd.DataFrame, outage_mask: np.ndarray) -> None:
        d = self.data
        biz = self.day.isoformat()

        cols = (
            "bill_id",
            "bus_no",
            "bill_batch_code",
            "bill_no",
            "place_code",
            "bus_type",
            "total_cents",
            "ivc_dt",
            "direction",
        )
        arrays = {c: b[c].to_numpy() for c in cols}
        row_of = dict(zip(b.index.to_numpy().tolist(), range(len(b)), strict=True))

        def value(p: int, column: str) -> Any:
            return arrays[column][row_of[int(p)]]

        def ident(p: int) -> dict[str, Any]:
            i = row_of[int(p)]
            return {
                "biz_date": biz,
                "bill_id": int(arrays["bill_id"][i]),
                **{
                    c: arrays[c][i]
                    for c in ("bus_no", "bill_batch_code", "bill_no", "place_code", "bus_type")
                },
            }

        his_by_pos = his.set_index("pos")
        for cls, positions in self.recon.items():
            entries = []
            for p in positions:
                entry = {"class": cls, **ident(int(p))}
                entry["platform_amount"] = (
                    None if cls == "missing_in_platform" else fmt_cents(value(p, "total_cents"))
                )
                entry["his_amount"] = his_by_pos.loc[p, "amount_text"] if p in his_by_pos.index else None
                if cls == "missing_in_platform":
                    entry["bill_id"] = None
                if cls == "duplicate":
                    copy = self.duplicate_copies[list(self.recon["duplicate"]).index(p)]
                    entry["duplicate_bill_id"] = int(value(copy, "bill_id"))
                    entry["duplicate_bill_no"] = value(copy, "bill_no")
                entries.append(entry)
            d.add("recon", entries)
        spec = []
        for rule, positions in self.spec.items():
            for p in positions:
                if rule == "red_at_most_one":
                    # The blue bill is the one with two red bills.
                    spec.append({"rule": rule, **ident(int(b.loc[p, "relate_pos"]))})
                else:
                    spec.append({"rule": rule, **ident(int(p))})
        d.add("spec", spec)
        d.add(
            "his_data_error",
            [
                {
                    "kind": kind,
                    "settle_id": int(his_by_pos.loc[p, "settle_id"]),
                    "biz_date": biz,
                    "bill_batch_code": his_by_pos.loc[p, "bill_batch_code"],
                    "bill_no": his_by_pos.loc[p, "bill_no"],
                }
                for kind, ps in self.his_errors.items()
                for p in ps
            ],
        )
        transit = []
        for kind, cause_mask in (
            ("before_supervision", b.index.isin(self.transit["before_supervision"]) | outage_mask),
            ("before_archive", b.index.isin(self.transit["before_archive"]) & ~outage_mask),
        ):
            for p in b.index[cause_mask & ~b.index.isin(self.recon["missing_in_platform"])]:
                row = ident(int(p))
                transit.append(
                    {
                        "kind": kind,
                        **row,
                        "ivc_date_time": str(pd.Timestamp(value(p, "ivc_dt"))),
                        "direction": int(value(p, "direction")),
                        "amount": fmt_cents(value(p, "total_cents")),
                        "cause": "outage" if outage_mask[row_of[int(p)]] else "random",
                    }
                )
        d.add("transit", transit)
        d.add("interface", [i.manifest() for i in self.incidents])
