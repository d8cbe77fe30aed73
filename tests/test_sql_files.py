"""Every query exists in both dialects; Oracle files parse; PostgreSQL files plan on the sandbox."""

from __future__ import annotations

import re

import psycopg
import pytest
import sqlglot
from sqlglot import exp

from ebill_ops.sql import DIALECTS, load_sql, query_names, split_statements

ORACLE = sorted(query_names("oracle"))
POSTGRES = sorted(query_names("postgresql"))
DML = re.compile(r"^\s*(SELECT|WITH|INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)

# Which sandbox database and role run a PostgreSQL file, by the schema it names.
SCHEMA_DB = {
    "ebops.": ("ebops", "ebops_rw"),
    "his.": ("his", "his_ro"),
    "finsim.": ("finance", "finsim"),
    "ebill.": ("bill", "ebill_ro"),
}
DIRECTIVE = re.compile(r"--\s*sandbox:\s*db=(\w+)\s+role=(\w+)")


def test_both_dialects_have_the_same_queries():
    assert ORACLE, "no Oracle SQL found"
    assert set(ORACLE) == set(POSTGRES), {
        "only oracle": sorted(set(ORACLE) - set(POSTGRES)),
        "only postgresql": sorted(set(POSTGRES) - set(ORACLE)),
    }


@pytest.mark.parametrize("name", ORACLE)
def test_oracle_file_parses(name):
    statements = split_statements(load_sql(name, "oracle"))
    assert statements, f"{name}: empty"
    for statement in statements:
        parsed = sqlglot.parse_one(statement, read="oracle")
        if DML.match(statement):
            # Queries must be understood fully, not kept as an opaque command.
            assert not isinstance(parsed, exp.Command), f"{name}: sqlglot could not parse the query"


@pytest.mark.parametrize("name", POSTGRES)
def test_postgres_file_parses(name):
    for statement in split_statements(load_sql(name, "postgresql")):
        sqlglot.parse_one(statement, read="postgres")


def _target(text: str) -> tuple[str, str]:
    directive = DIRECTIVE.search(text)
    if directive:
        return directive.group(1), directive.group(2)
    for prefix, target in SCHEMA_DB.items():
        if prefix in text:
            return target
    raise AssertionError("cannot tell which database the query reads")


@pytest.mark.integration
def _is_dml(name: str) -> bool:
    statements = split_statements(load_sql(name, "postgresql"))
    return bool(statements) and bool(DML.match(statements[0]))


@pytest.mark.parametrize("name", [n for n in POSTGRES if _is_dml(n)])
def test_postgres_query_plans_on_the_sandbox_as_its_role(sandbox, name):
    """EXPLAIN (without running) checks names, types and the role's privileges on the sandbox."""
    text = load_sql(name, "postgresql")
    database, role = _target(text)
    params = {key: None for key in re.findall(r"%\((\w+)\)s", text)}
    with psycopg.connect(sandbox.dsn(database, role)) as conn:
        for statement in split_statements(text):
            conn.execute("EXPLAIN " + statement, {k: v for k, v in params.items() if f"%({k})s" in statement})
        conn.rollback()


def test_dialect_names_match_loader():
    assert set(DIALECTS) == {"oracle", "postgresql"}
