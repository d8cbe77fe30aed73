"""People decide remedies; the package records them (who, when, why) and never touches a bill.

A difference is ``open`` until a person marks it ``explained`` (a known cause, nothing to fix,
e.g. a refund settled the next day) or ``resolved`` (fixed in HIS or on the platform: voided the
HIS record, reversed the bill, re-issued). Every change is appended to ``recon_status_log``; a
later run keeps the status while the difference is still there.

    python -m ebill_ops.recon.status list --date 2026-11-27 [--class amount_mismatch] [--all]
    python -m ebill_ops.recon.status set --date 2026-11-27 --class amount_mismatch \\
        --key 02202611270000071 --status explained --by zhangsan --reason "HIS 补收 1 元, 次日冲正"

The CLI reads the ``ebops_db`` connection like the DAG (``AIRFLOW_CONN_EBOPS_DB`` or Airflow's
metadata database; for the sandbox ``source .sandbox/<name>/airflow.env``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from dataclasses import dataclass

from ebill_ops.db import Db
from ebill_ops.intervals import local_now
from ebill_ops.recon.model import DIFF_CLASSES, STATUSES


class StatusError(ValueError):
    """A status change that cannot be recorded (unknown difference, missing who/why, bad status)."""


@dataclass(frozen=True)
class StatusChange:
    biz_date: dt.date
    diff_class: str
    diff_key: str
    status: str
    changed_by: str
    reason: str

    def validate(self) -> None:
        if self.status not in STATUSES:
            raise StatusError(f"status must be one of {', '.join(STATUSES)}, not {self.status!r}")
        if self.diff_class not in DIFF_CLASSES:
            raise StatusError(f"unknown difference class {self.diff_class!r}")
        if not self.changed_by.strip():
            raise StatusError("say who decides (--by): every remedy is logged with a name")
        if not self.reason.strip():
            raise StatusError("say why (--reason): every remedy is logged with a reason")


def set_status(ops: Db, change: StatusChange, now: dt.datetime | None = None) -> str | None:
    """Record ``change`` (inside a writable ebops connection); returns the previous status."""
    change.validate()
    now = (now or local_now()).replace(microsecond=0)
    key = {"biz_date": change.biz_date, "diff_class": change.diff_class, "diff_key": change.diff_key}
    current = ops.one("recon/difference", key)
    if current is None:
        raise StatusError(
            f"no {change.diff_class} difference {change.diff_key!r} on {change.biz_date}: "
            "check the date and key (python -m ebill_ops.recon.status list --date ...)"
        )
    params = {
        **key,
        "status": change.status,
        "changed_by": change.changed_by.strip()[:100],
        "changed_at": now,
        "reason": change.reason.strip()[:1000],
        "old_status": current["status"],
    }
    ops.execute("recon/set_status", params)
    ops.execute("recon/insert_status_log", params)
    return current["status"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ebill_ops.recon.status", description=__doc__.split("\n")[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    show = sub.add_parser("list", help="differences of a day (open ones unless --all)")
    show.add_argument("--date", required=True, type=dt.date.fromisoformat)
    show.add_argument("--class", dest="diff_class", choices=sorted(DIFF_CLASSES))
    show.add_argument("--all", action="store_true", help="also explained and resolved ones")
    change = sub.add_parser("set", help="record a person's decision about one difference")
    change.add_argument("--date", required=True, type=dt.date.fromisoformat)
    change.add_argument("--class", dest="diff_class", required=True, choices=sorted(DIFF_CLASSES))
    change.add_argument("--key", required=True, help="diff_key: the busNo, or settle:<id> / bill:<code>/<no>")
    change.add_argument("--status", required=True, choices=sorted(STATUSES))
    change.add_argument("--by", required=True, help="who decides")
    change.add_argument("--reason", required=True, help="why (what was done, or why nothing needs doing)")
    return parser


def main(argv: list[str] | None = None) -> int:
    from ebill_ops import db
    from ebill_ops.config import common

    args = _parser().parse_args(argv)
    conn_id = common().connections.ebops_db
    if args.command == "list":
        with db.connect(conn_id) as ops:
            rows = ops.rows("recon/report_differences", {"biz_date": args.date})
        shown = [
            r
            for r in rows
            if (args.all or r["status"] == "open")
            and (not args.diff_class or r["diff_class"] == args.diff_class)
        ]
        for r in shown:
            print(
                f"{r['diff_class']:<22} {r['diff_key']:<24} {r['status']:<9} "
                f"HIS {r['his_amount'] or '-':>10} 平台 {r['platform_amount'] or '-':>10}  {r['detail']}"
            )
        print(f"{len(shown)} of {len(rows)} differences on {args.date}")
        return 0
    change = StatusChange(args.date, args.diff_class, args.key, args.status, args.by, args.reason)
    try:
        with db.connect(conn_id, read_only=False) as ops:
            old = set_status(ops, change)
    except StatusError as exc:
        print(f"not recorded: {exc}", file=sys.stderr)
        return 2
    print(
        f"{change.diff_class} {change.diff_key} on {change.biz_date}: {old} → {change.status} ({change.changed_by})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
