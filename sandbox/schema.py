"""Create the sandbox's schemas from the data-contract DDL (the same files a site reads)."""

from __future__ import annotations

from pathlib import Path

from psycopg import sql

from ebill_ops.sql import load_sql, query_names
from sandbox.pg import admin_connect
from sandbox.settings import SandboxSettings

PARTITIONED_TABLES = ("bill", "bill_item", "bill_payment")
FINANCE_SCHEMA = Path(__file__).parent / "finance" / "schema.sql"


def partition_name(table: str, year: int) -> str:
    """Yearly partition naming shared with the year-end DAG's default config: ``bill_y2026``."""
    return f"{table}_y{year}"


def ensure_year_partitions(settings: SandboxSettings, years: set[int]) -> None:
    with admin_connect(settings, "bill") as conn:
        for table in PARTITIONED_TABLES:
            for year in sorted(years):
                conn.execute(
                    sql.SQL(
                        "CREATE TABLE IF NOT EXISTS ebill.{} PARTITION OF ebill.{} FOR VALUES FROM ({}) TO ({})"
                    ).format(
                        sql.Identifier(partition_name(table, year)),
                        sql.Identifier(table),
                        sql.Literal(f"{year}-01-01"),
                        sql.Literal(f"{year + 1}-01-01"),
                    )
                )
                conn.execute(
                    sql.SQL("ALTER TABLE ebill.{} OWNER TO ebill_owner").format(
                        sql.Identifier(partition_name(table, year))
                    )
                )
        _grant_bill(conn)


def _grant_bill(conn) -> None:
    conn.execute("GRANT USAGE ON SCHEMA ebill TO ebill_ro")
    conn.execute("GRANT SELECT ON ALL TABLES IN SCHEMA ebill TO ebill_ro")
    # Read-mostly: the finance re-upload may record lifecycle times, nothing else.
    conn.execute("GRANT UPDATE (upload_time, supervise_time, archive_time) ON ebill.bill TO ebill_ro")


def apply_contract(settings: SandboxSettings) -> None:
    """Contract tables of the bill platform and HIS, the finance simulator's and ebops' schemas."""
    with admin_connect(settings, "bill") as conn:
        conn.execute(load_sql("contract/bill_platform", "postgresql"))
        conn.execute("ALTER SCHEMA ebill OWNER TO ebill_owner")
        for (table,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'ebill'").fetchall():
            conn.execute(sql.SQL("ALTER TABLE ebill.{} OWNER TO ebill_owner").format(sql.Identifier(table)))
        _grant_bill(conn)
        conn.execute(
            "ALTER DEFAULT PRIVILEGES FOR ROLE ebill_owner IN SCHEMA ebill GRANT SELECT ON TABLES TO ebill_ro"
        )
    with admin_connect(settings, "his") as conn:
        conn.execute(load_sql("contract/his", "postgresql"))
        conn.execute("GRANT USAGE ON SCHEMA his TO his_ro")
        conn.execute("GRANT SELECT ON ALL TABLES IN SCHEMA his TO his_ro")
    with admin_connect(settings, "finance") as conn:
        conn.execute(FINANCE_SCHEMA.read_text())
        conn.execute("ALTER SCHEMA finsim OWNER TO finsim")
        conn.execute("GRANT ALL ON ALL TABLES IN SCHEMA finsim TO finsim")
        conn.execute("GRANT ALL ON ALL SEQUENCES IN SCHEMA finsim TO finsim")
    apply_ebops(settings)


def ebops_scripts() -> list[str]:
    """The ebops DDL scripts in the order they apply (file name order)."""
    return sorted(name for name in query_names("postgresql") if name.startswith("ebops/"))


def apply_ebops(settings: SandboxSettings) -> None:
    with admin_connect(settings, "ebops") as conn:
        conn.execute("CREATE SCHEMA IF NOT EXISTS ebops AUTHORIZATION ebops_rw")
        conn.execute("SET ROLE ebops_rw")
        for name in ebops_scripts():
            conn.execute(load_sql(name, "postgresql"))


def build_indexes(settings: SandboxSettings) -> None:
    with admin_connect(settings, "bill") as conn:
        conn.execute(load_sql("contract/bill_platform_indexes", "postgresql"))
        conn.execute("ANALYZE")
    with admin_connect(settings, "his") as conn:
        conn.execute(load_sql("contract/his_indexes", "postgresql"))
        conn.execute("ANALYZE")


def reset_ebops(settings: SandboxSettings) -> None:
    """Empty every ebops table: results of an earlier data set mean nothing for a new one."""
    with admin_connect(settings, "ebops") as conn:
        tables = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'ebops'").fetchall()
        if tables:
            conn.execute(
                sql.SQL("TRUNCATE {}").format(
                    sql.SQL(", ").join(sql.Identifier("ebops", t) for (t,) in tables)
                )
            )
