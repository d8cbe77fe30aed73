"""Record the repair on the bill platform: upload, supervise and archive times on ebill.bill.

The platform is committed first and the ledger marked afterwards, so a failure in between only
means the same COALESCE update runs again (it never overwrites a time the platform has).
"""

from __future__ import annotations

from ebill_ops.db import Db
from ebill_ops.transit.batches import executemany_uniform
from ebill_ops.transit.ledger import Ledger


def apply(ledger: Ledger, bill_db: Db, batch_size: int) -> dict[str, int]:
    rows = ledger.to_apply()
    for start in range(0, len(rows), batch_size):
        part = rows[start : start + batch_size]
        executemany_uniform(
            bill_db,
            "transit/apply_to_platform",
            [
                {
                    "bill_id": r["bill_id"],
                    "ivc_date_time": r["ivc_date_time"],
                    "upload_time": r["upload_time"],
                    "supervise_time": r["supervise_time"],
                    "archive_time": r["archive_time"],
                }
                for r in part
            ],
        )
        bill_db.commit()
        ledger.mark_applied(part)
    return {"applied": len(rows)}
