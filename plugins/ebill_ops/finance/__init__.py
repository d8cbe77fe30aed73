"""The finance platform (财政电子票据公共平台): signed-envelope protocol, HTTP client, Airflow hook.

``protocol`` and ``client`` import without Airflow (the sandbox simulator and plain tests use them);
only ``hook`` imports Airflow. Names are loaded lazily so that importing ``protocol`` (as the
simulator does) does not pull in httpx.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ebill_ops.finance.client import (
        BillKey,
        BillResult,
        BillStatus,
        DailyTotals,
        FinanceError,
        FinanceGatewayClient,
        FinanceGatewayError,
        FinanceUnavailable,
        Ping,
        UploadBill,
    )
    from ebill_ops.finance.protocol import ProtocolError

_EXPORTS = {
    "BillKey": "client",
    "BillResult": "client",
    "BillStatus": "client",
    "DailyTotals": "client",
    "FinanceError": "client",
    "FinanceGatewayClient": "client",
    "FinanceGatewayError": "client",
    "FinanceUnavailable": "client",
    "Ping": "client",
    "UploadBill": "client",
    "ProtocolError": "protocol",
}

__all__ = [
    "BillKey",
    "BillResult",
    "BillStatus",
    "DailyTotals",
    "FinanceError",
    "FinanceGatewayClient",
    "FinanceGatewayError",
    "FinanceUnavailable",
    "Ping",
    "ProtocolError",
    "UploadBill",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"ebill_ops.finance.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'ebill_ops.finance' has no attribute {name!r}")
