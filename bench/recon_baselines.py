"""The baselines of the reconciliation benchmark: pull both sides into pandas, then compare.

``pandas_differences``: a plain full outer merge on busNo, classified with vectorised pandas.
``datacompy_differences``: ``datacompy.PandasCompare`` on the same frames, plus the
post-processing any datacompy user needs (it pairs duplicate keys by order and reports the
surplus as one-sided rows, so duplicates need their own group-by; it knows nothing of HIS rows
without a busNo, malformed amounts, or the reversed flag).

Both return the same identities as ours: ``(biz_date, diff_class, bus_no)``, for the sandbox's
generated data (every difference there has a busNo; null-busNo HIS rows are matched on number).
"""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pandas as pd

HIS_SQL = """SELECT settle_id, bus_no, settle_time, direction, state, amount_text, pay_channel,
       bill_batch_code, bill_no, check_code
FROM his.settlement WHERE settle_time >= %(start)s AND settle_time < %(end)s"""
BILL_SQL = """SELECT bill_id, bus_no, bus_date_time, state, direction, total_amt,
       bill_batch_code, bill_no, check_code
FROM ebill.bill WHERE bus_date_time >= %(start)s AND bus_date_time < %(end)s AND state IN (1, 3)"""
AMOUNT = r"^[0-9]{1,13}(\.[0-9]{1,2})?$"

Identity = tuple[str, str, str]


def load_frames(
    his_dsn: str, bill_dsn: str, start: dt.datetime, end: dt.datetime
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both sides of the window as DataFrames (what a pandas user does first: ``pd.read_sql`` twice)."""
    import psycopg

    params = {"start": start, "end": end}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "pandas only supports SQLAlchemy connectable"
        with psycopg.connect(his_dsn) as conn:
            his = pd.read_sql(HIS_SQL, conn, params=params)
        with psycopg.connect(bill_dsn) as conn:
            bills = pd.read_sql(BILL_SQL, conn, params=params)
    return his, bills


def _prepare(his: pd.DataFrame, bills: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    his = his.copy()
    text = his["amount_text"].fillna("").str.strip()
    valid = text.str.fullmatch(AMOUNT)
    his["cents"] = np.where(valid, pd.to_numeric(text.where(valid), errors="coerce") * 100, np.nan).round()
    his["day"] = pd.to_datetime(his["settle_time"]).dt.normalize()  # text only for what is found
    bills = bills.copy()
    bills["cents"] = (bills["total_amt"].astype(float) * 100).round()
    bills["day"] = pd.to_datetime(bills["bus_date_time"]).dt.normalize()
    bills = bills.sort_values(["bus_date_time", "bill_id"], kind="stable")
    return his, bills


def _iso(found: set) -> set[Identity]:
    return {(pd.Timestamp(day).strftime("%Y-%m-%d"), cls, key) for day, cls, key in found}


def _compare_pairs(pairs: pd.DataFrame) -> set[Identity]:
    """Classify matched (HIS, bill) pairs; columns suffixed _h / _p, day and bus_no of HIS."""
    found: set[Identity] = set()
    amount = pairs["cents_h"].notna() & (pairs["cents_h"] != pairs["cents_p"])
    number = (pairs["bill_batch_code_h"].fillna("") != pairs["bill_batch_code_p"].fillna("")) | (
        pairs["bill_no_h"].fillna("") != pairs["bill_no_p"].fillna("")
    )
    check = ~number & (pairs["check_code_h"].fillna("") != pairs["check_code_p"].fillna(""))
    state = (pairs["direction_h"] != pairs["direction_p"]) | (
        (pairs["state_h"] == 3) != (pairs["state_p"] == 3)
    )
    for mask, cls in (
        (amount, "amount_mismatch"),
        (number, "bill_number_mismatch"),
        (check, "check_code_mismatch"),
        (state, "state_mismatch"),
    ):
        sel = pairs[mask]
        found.update(zip(sel["day_h"], [cls] * len(sel), sel["key"], strict=True))
    return found


def pandas_differences(his: pd.DataFrame, bills: pd.DataFrame) -> set[Identity]:
    his, bills = _prepare(his, bills)
    found: set[Identity] = set()
    with_bus = his[his["bus_no"].notna()]
    null_bus = his[his["bus_no"].isna()]
    # Duplicates: one busNo, several live bills (reported on the settlement's day).
    sizes = bills.groupby("bus_no").size()
    dup_keys = sizes[sizes > 1].index
    first = bills.drop_duplicates("bus_no")
    # HIS rows without a busNo are matched on code + number.
    rescued = null_bus.merge(bills, on=["bill_batch_code", "bill_no"], how="inner", suffixes=("_h", "_p"))
    rescued_bus = set(rescued["bus_no_p"])
    merged = with_bus.merge(first, on="bus_no", how="outer", suffixes=("_h", "_p"), indicator="side")
    merged["key"] = merged["bus_no"]
    his_only = merged[merged["side"] == "left_only"]
    found.update(
        zip(his_only["day_h"], ["missing_in_platform"] * len(his_only), his_only["key"], strict=True)
    )
    bill_only = merged[(merged["side"] == "right_only") & ~merged["bus_no"].isin(rescued_bus)]
    found.update(zip(bill_only["day_p"], ["missing_in_his"] * len(bill_only), bill_only["key"], strict=True))
    dups = merged[merged["bus_no"].isin(dup_keys)]
    found.update(
        zip(dups["day_h"].fillna(dups["day_p"]), ["duplicate"] * len(dups), dups["bus_no"], strict=True)
    )
    both = merged[merged["side"] == "both"]
    found |= _compare_pairs(both)
    rescued = rescued.rename(columns={"bill_batch_code": "bill_batch_code_h", "bill_no": "bill_no_h"})
    rescued["bill_batch_code_p"], rescued["bill_no_p"] = rescued["bill_batch_code_h"], rescued["bill_no_h"]
    rescued["key"] = rescued["bus_no_p"]
    found |= _compare_pairs(rescued)
    return _iso(found)


def datacompy_differences(his: pd.DataFrame, bills: pd.DataFrame) -> set[Identity]:
    import datacompy

    his, bills = _prepare(his, bills)
    found: set[Identity] = set()
    with_bus = his[his["bus_no"].notna()][
        ["bus_no", "day", "cents", "bill_batch_code", "bill_no", "check_code", "direction", "state"]
    ]
    null_bus = his[his["bus_no"].isna()]
    right = bills[
        ["bus_no", "day", "cents", "bill_batch_code", "bill_no", "check_code", "direction", "state"]
    ]
    compare = datacompy.PandasCompare(
        with_bus, right, join_columns=["bus_no"], df1_name="his", df2_name="bill"
    )
    sizes = bills.groupby("bus_no").size()  # datacompy pairs duplicate keys by order: own query
    dup_keys = set(sizes[sizes > 1].index)
    rescued = set(null_bus.merge(bills, on=["bill_batch_code", "bill_no"])["bus_no_y"])
    his_only = compare.df1_unq_rows
    found.update(
        zip(his_only["day"], ["missing_in_platform"] * len(his_only), his_only["bus_no"], strict=True)
    )
    bill_only = compare.df2_unq_rows
    bill_only = bill_only[~bill_only["bus_no"].isin(rescued) & ~bill_only["bus_no"].isin(dup_keys)]
    found.update(zip(bill_only["day"], ["missing_in_his"] * len(bill_only), bill_only["bus_no"], strict=True))
    rows = compare.intersect_rows
    dup_rows = rows[rows["bus_no"].isin(dup_keys)]
    his_day = dict(zip(dup_rows["bus_no"], dup_rows["day_his"], strict=True))
    first = bills[bills["bus_no"].isin(dup_keys)].drop_duplicates("bus_no")  # sorted: earliest bill
    first_day = dict(zip(first["bus_no"], first["day"], strict=True))
    found.update((his_day.get(k, first_day[k]), "duplicate", k) for k in dup_keys)
    pairs = pd.DataFrame(
        {
            "key": rows["bus_no"],
            "day_h": rows["day_his"],
            **{
                f"{c}_h": rows[f"{c}_his"]
                for c in ("cents", "bill_batch_code", "bill_no", "check_code", "direction", "state")
            },
            **{
                f"{c}_p": rows[f"{c}_bill"]
                for c in ("cents", "bill_batch_code", "bill_no", "check_code", "direction", "state")
            },
        }
    )
    # datacompy's own match flags say *that* a column differs; the class needs the rules anyway.
    found |= _compare_pairs(pairs)
    return _iso(found)
