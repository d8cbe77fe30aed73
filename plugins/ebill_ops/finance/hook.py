"""Airflow hook for the finance gateway: turns the ``finance_gateway`` connection into a client.

The only module of ``ebill_ops.finance`` that imports Airflow, so the client stays usable from the
sandbox and plain tests.
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import BaseHook

from ebill_ops.finance.client import FinanceGatewayClient, FinanceGatewayError


class FinanceGatewayHook(BaseHook):
    """Connection fields: host, port, schema (http|https), login = appid, password = key;
    extra ``service_path`` (default ``/finance/api/medical``), ``timeout`` (seconds), ``verify``."""

    conn_name_attr = "finance_conn_id"
    default_conn_name = "finance_gateway"
    conn_type = "http"
    hook_name = "Finance platform gateway"

    def __init__(self, finance_conn_id: str = default_conn_name, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.finance_conn_id = finance_conn_id

    def get_client(self, *, timeout: float | None = None) -> FinanceGatewayClient:
        """A new client (close it, or use it as a context manager); ``timeout`` overrides the connection's."""
        return FinanceGatewayClient.from_connection(
            self.get_connection(self.finance_conn_id), timeout=timeout
        )

    def get_conn(self) -> FinanceGatewayClient:
        return self.get_client()

    def test_connection(self) -> tuple[bool, str]:
        try:
            with self.get_client() as client:
                answer = client.ping()
        except FinanceGatewayError as exc:
            return False, str(exc)
        return True, f"ping answered in {answer.elapsed_ms:.0f} ms"
