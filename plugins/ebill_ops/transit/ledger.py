"""The re-upload ledger in ebops: what was found, what was sent, what finance answered.

Every method but ``mark_alerted`` commits what it wrote before returning, because the ledger is the memory that
survives a killed worker: a claim must be durable before its request leaves, an answer as soon
as it arrives.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ebill_ops.db import Db
from ebill_ops.intervals import Window
from ebill_ops.transit.batches import executemany_uniform
from ebill_ops.transit.model import Bill, Change

# Fields whose change means "someone fixed the bill": a given-up bill gets a fresh budget.
DATA_FIELDS = ("bill_batch_code", "bill_no", "check_code", "bus_no", "place_code", "total_amt", "direction")


def data_hash(row: Mapping[str, Any]) -> str:
    text = "|".join("" if row.get(f) is None else str(row[f]) for f in DATA_FIELDS)
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def _flag(value: bool) -> int:
    return 1 if value else 0


class Ledger:
    def __init__(self, ops: Db, run_id: str | None) -> None:
        self.ops = ops
        self.run_id = run_id

    # --- found bills --------------------------------------------------------------------------
    def record_found(self, rows: Sequence[Mapping[str, Any]], now: dt.datetime, *, chunk: int = 5000) -> None:
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            executemany_uniform(
                self.ops,
                "transit/upsert_found",
                [
                    {
                        "bill_id": int(r["bill_id"]),
                        "ivc_date_time": r["ivc_date_time"],
                        "bill_batch_code": r["bill_batch_code"],
                        "bill_no": r["bill_no"],
                        "check_code": r["check_code"],
                        "bus_no": r["bus_no"],
                        "place_code": r["place_code"],
                        "total_amt": r["total_amt"],
                        "direction": int(r["direction"]),
                        "data_hash": data_hash(r),
                        "stage": r["stage"],
                        "now": now,
                        "run_id": self.run_id,
                    }
                    for r in part
                ],
            )
            self.ops.commit()

    def reset_budget(self, window: Window) -> int:
        count = self.ops.execute("transit/reset_budget", window.params())
        self.ops.commit()
        return count

    def open_bills(self, window: Window, carry_start: dt.datetime | None) -> tuple[list[Bill], list[Bill]]:
        """Open bills of the window, and of other windows since ``carry_start`` (None: none)."""
        own = [Bill.from_row(r) for r in self.ops.rows("transit/open_in_window", window.params())]
        carried: list[Bill] = []
        if carry_start is not None:
            params = {**window.params(), "carry_start": carry_start}
            carried = [Bill.from_row(r) for r in self.ops.rows("transit/open_carried_over", params)]
        return own, carried

    def window_states(self, window: Window) -> dict[str, int]:
        return {r["state"]: int(r["bills"]) for r in self.ops.rows("transit/window_states", window.params())}

    # --- uploads: claim before sending ---------------------------------------------------------
    def claim(self, claim_id: str, bills: Sequence[Bill], now: dt.datetime) -> list[Bill]:
        """Mark bills as sent by request ``claim_id`` and record the attempts; returns those taken."""
        self.ops.executemany(
            "transit/claim", [{"claim_id": claim_id, "bill_id": b.bill_id, "now": now} for b in bills]
        )
        taken = {int(r["bill_id"]) for r in self.ops.rows("transit/claimed", {"claim_id": claim_id})}
        chosen = [b for b in bills if b.bill_id in taken]
        self._attempts(chosen, "upload", claim_id, now, finished=False)
        self.ops.commit()
        for b in chosen:
            b.state, b.claim_id, b.last_attempt_at = "sending", claim_id, now
        return chosen

    def no_answer(self, claim_id: str, message: str) -> None:
        """The request got no usable answer: its bills stay in flight; record why."""
        self.ops.execute("transit/note_no_answer", {"claim_id": claim_id, "message": message[:400]})
        self.ops.commit()

    # --- answers -------------------------------------------------------------------------------
    def record(
        self,
        action: str,
        claim_id: str,
        bills: Sequence[Bill],
        changes: Sequence[Change],
        now: dt.datetime,
        *,
        started: dt.datetime,
        attempt_changes: Sequence[Change] | None = None,
        finish_uploads: Mapping[int, tuple[str, Change]] | None = None,
    ) -> None:
        """Apply ``changes`` to the ledger and write their attempts, in one transaction.

        ``action`` "upload" completes the attempts written by ``claim``; "query" / "archive" write
        new, finished attempts (their outcome from ``attempt_changes`` when given, e.g. the query's own
        answer while ``changes`` say what it means for the bill). ``finish_uploads`` (bill id -> (claim id, change)) completes the
        in-flight upload attempts a query has just explained (confirmed / lost).
        """
        by_id = {c.bill_id: c for c in changes}
        if action == "upload":
            executemany_uniform(
                self.ops,
                "transit/finish_attempt",
                [
                    {
                        "claim_id": claim_id,
                        "bill_id": c.bill_id,
                        "now": now,
                        "outcome": c.outcome,
                        "result_code": c.result_code,
                        "message": c.message,
                    }
                    for c in changes
                ],
            )
        else:
            outcomes = {c.bill_id: c for c in attempt_changes} if attempt_changes is not None else by_id
            self._attempts(bills, action, claim_id, started, finished=True, changes=outcomes, now=now)
        if finish_uploads:
            executemany_uniform(
                self.ops,
                "transit/finish_attempt",
                [
                    {
                        "claim_id": old_claim,
                        "bill_id": bill_id,
                        "now": now,
                        "outcome": c.outcome,
                        "result_code": c.result_code,
                        "message": c.message,
                    }
                    for bill_id, (old_claim, c) in finish_uploads.items()
                ],
            )
        executemany_uniform(self.ops, "transit/update_bill", [self._bill_params(c, now) for c in changes])
        self.ops.commit()

    def _attempts(
        self,
        bills: Iterable[Bill],
        action: str,
        claim_id: str,
        started: dt.datetime,
        *,
        finished: bool,
        changes: Mapping[int, Change] | None = None,
        now: dt.datetime | None = None,
    ) -> None:
        rows = []
        for b in bills:
            change = (changes or {}).get(b.bill_id)
            rows.append(
                {
                    "bill_id": b.bill_id,
                    "bill_batch_code": b.bill_batch_code[:8],
                    "bill_no": b.bill_no[:10],
                    "action": action,
                    "claim_id": claim_id,
                    "run_id": self.run_id,
                    "started_at": started,
                    "finished_at": now if finished else None,
                    "outcome": change.outcome if change else None,
                    "result_code": change.result_code if change else None,
                    "message": change.message if change else None,
                }
            )
        executemany_uniform(self.ops, "transit/insert_attempt", rows)

    @staticmethod
    def _bill_params(c: Change, now: dt.datetime) -> dict[str, Any]:
        return {
            "bill_id": c.bill_id,
            "state": c.state,
            "rejected": _flag(c.rejected),
            "checked": _flag(c.checked),
            "now": now,
            "result_code": c.result_code,
            "message": c.message,
            "upload_time": c.upload_time,
            "supervise_time": c.supervise_time,
            "archive_time": c.archive_time,
            "times_changed": _flag(c.finance_times_changed),
            "resolved": _flag(c.resolved),
        }

    # --- the platform side and alerts ------------------------------------------------------------
    def to_apply(self) -> list[dict[str, Any]]:
        return self.ops.rows("transit/to_apply")

    def mark_applied(self, rows: Sequence[Mapping[str, Any]]) -> None:
        self.ops.executemany(
            "transit/mark_applied", [{"bill_id": r["bill_id"], "changed_at": r["changed_at"]} for r in rows]
        )
        self.ops.commit()

    def gave_up_to_alert(self) -> list[dict[str, Any]]:
        return self.ops.rows("transit/gave_up_to_alert")

    def mark_alerted(self, bill_ids: Iterable[int], now: dt.datetime) -> None:
        """Not committed here: the caller mails, then commits, so a failed mail is sent by the retry."""
        self.ops.executemany("transit/mark_alerted", [{"bill_id": b, "now": now} for b in bill_ids])

    def save_run(self, row: Mapping[str, Any]) -> None:
        self.ops.execute(
            "transit/delete_run", {"window_start": row["window_start"], "window_end": row["window_end"]}
        )
        self.ops.execute("transit/insert_run", dict(row))
        self.ops.commit()
