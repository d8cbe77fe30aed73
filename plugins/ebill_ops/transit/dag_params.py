"""The trigger form of ebill_finance_sync: a window (date or date and time), dry run, budget reset."""

from __future__ import annotations

from typing import Any

# A local date or date-time: 2026-11-29, 2026-11-29 10:00, 2026-11-29T10:00:00.
WINDOW_PATTERN = r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?$"


def trigger_params() -> dict[str, Any]:
    from airflow.sdk import Param

    return {
        "start": Param(
            None,
            type=["null", "string"],
            pattern=WINDOW_PATTERN,
            description="开始 Start of the issue-time window, local (YYYY-MM-DD or YYYY-MM-DD HH:MM); "
            "empty: the run's data interval",
        ),
        "end": Param(
            None,
            type=["null", "string"],
            pattern=WINDOW_PATTERN,
            description="结束 End of the window, exclusive (empty: start + 1 day)",
        ),
        "dry_run": Param(
            False,
            type="boolean",
            description="演练 Dry run: find and report what is in transit; send nothing, write nothing",
        ),
        "reset_budget": Param(
            False,
            type="boolean",
            description="重置重试次数 Give bills of the window that spent their retry budget another try "
            "(after their data was checked)",
        ),
    }
