"""What every ebill-ops DAG shares: owner, retries with exponential backoff, alerts, tags.

DAG files call ``dag_kwargs(dag_id, ...)`` so that the policy the DAG-integrity tests enforce
is written once.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pendulum

from ebill_ops import alerts
from ebill_ops.config import common

OWNER = "ebill-ops"

# Fixed tag vocabulary; tests reject anything else so the UI filters stay meaningful.
TAGS = frozenset(
    {
        "ebill",  # every DAG
        "daily",
        "hourly",
        "15min",
        "weekly",
        "yearly",
        "manual",  # cadence
        "reconciliation",
        "finance",
        "interface",
        "quality",
        "inspection",
        "backup",
        "year-end",
        "stock",
        "security",
        "extraction",
        "performance",  # capability
        "writes-production",  # the DAG writes to the bill platform (needs care)
        "read-only",  # the DAG only reads production systems
    }
)


def default_args() -> dict[str, Any]:
    retry = common().retry
    return {
        "owner": OWNER,
        "retries": retry.retries,
        "retry_delay": timedelta(seconds=retry.retry_delay_seconds),
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": timedelta(seconds=retry.max_retry_delay_seconds),
        "on_failure_callback": alerts.task_failure_callback,
    }


def start_date() -> pendulum.DateTime:
    return pendulum.datetime(2026, 1, 1, tz=common().timezone)


def dag_kwargs(dag_id: str, *, tags: list[str], doc_md: str | None, **extra: Any) -> dict[str, Any]:
    """Keyword arguments for ``@dag``: policy defaults plus a deadline alert (manual DAGs too)."""
    unknown = set(tags) - TAGS
    if unknown:
        raise ValueError(f"{dag_id}: tags outside the vocabulary: {sorted(unknown)}")
    kwargs: dict[str, Any] = {
        "dag_id": dag_id,
        "start_date": start_date(),
        "catchup": False,
        "default_args": default_args(),
        "tags": sorted({"ebill", *tags}),
        "doc_md": doc_md,
        "max_active_runs": 1,
        "render_template_as_native_obj": False,
        # Closes the DAG's open failure incidents with one recovery notice.
        "on_success_callback": alerts.dag_success_callback,
        "deadline": alerts.deadline_alerts(dag_id),
    }
    kwargs.update(extra)
    return kwargs
