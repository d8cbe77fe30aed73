"""The failing bills of a day, fetched from PostgreSQL in one pass over ``quality/bill_checks``.

GX counts the failures of every rule in one bundled query; listing the failing bills through
GX would take one more full pass per failing rule. This module wraps the same checks query in
``WHERE <any rule fails>`` with one flag column per rule, written from the same rule table as
the expectations (same bounds, same NULL = not applicable), and the counts are then compared
with GX's: a difference is a bug and stops the day before anything is stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from psycopg import sql

from ebill_ops.quality.rules import Rule

FLAG_PREFIX = "fail:"


def violation(rule: Rule, as_of: dt.datetime, params: dict[str, Any]) -> sql.Composable:
    """A predicate true exactly where GX counts the rule's value as unexpected."""
    column = sql.Identifier("q", rule.column)
    if rule.check == "not_null":
        return sql.SQL("({} IS NULL)").format(column)
    if rule.check == "regex":
        name = f"re_{rule.id}"
        params[name] = rule.pattern
        return sql.SQL("({c} IS NOT NULL AND NOT ({c} ~ {p}))").format(c=column, p=sql.Placeholder(name))
    low, high = rule.bounds(as_of)
    outside = []
    if low is not None:
        params[f"lo_{rule.id}"] = low
        outside.append(sql.SQL("{} < {}").format(column, sql.Placeholder(f"lo_{rule.id}")))
    if high is not None:
        params[f"hi_{rule.id}"] = high
        outside.append(sql.SQL("{} > {}").format(column, sql.Placeholder(f"hi_{rule.id}")))
    return sql.SQL("({c} IS NOT NULL AND ({o}))").format(c=column, o=sql.SQL(" OR ").join(outside))


def failing_bills_query(
    checks_sql: str, rules: Sequence[Rule], as_of: dt.datetime, params: dict[str, Any]
) -> tuple[sql.Composed, dict[str, Any]]:
    """``SELECT q.*, <flag per rule> FROM (<checks>) q WHERE <any flag>`` and its parameters."""
    bound = dict(params)
    predicates = [(rule, violation(rule, as_of, bound)) for rule in rules]
    flags = sql.SQL(", ").join(
        sql.SQL("{} AS {}").format(pred, sql.Identifier(FLAG_PREFIX + rule.id)) for rule, pred in predicates
    )
    any_fails = sql.SQL(" OR ").join(pred for _, pred in predicates)
    query = (
        sql.SQL("SELECT q.*, ")
        + flags
        + sql.SQL(" FROM (\n")
        + sql.SQL(checks_sql)  # type: ignore[arg-type]  # our own file, not input
        + sql.SQL("\n) AS q WHERE ")
        + any_fails
    )
    return query, bound
