"""The catalogue of anomalies the generator can inject, by manifest section.

Capability code and tests compare what they find with the manifest, so these names are part of
the contract between the sandbox and the package (docs/sandbox.md lists them with meanings).
"""

from __future__ import annotations

# HIS <-> bill platform reconciliation classes (issue: reconciliation).
RECON_CLASSES = (
    "missing_in_platform",  # paid in HIS, no bill on the platform
    "missing_in_his",  # bill on the platform, no HIS settlement
    "amount_mismatch",  # HIS amount differs from the bill total
    "bill_number_mismatch",  # HIS recorded another bill number for the busNo
    "check_code_mismatch",  # HIS recorded another check code
    "state_mismatch",  # reversed (冲红) on one side only
    "duplicate",  # one busNo, several live bills on the platform
)

# Malformed HIS rows: reported as data errors, never crash a run.
HIS_DATA_ERRORS = ("null_bus_no", "bad_amount_text", "unknown_channel")

# Invoice-spec rules (issue: invoice quality). One id per rule; the quality suites use these ids.
SPEC_RULES = (
    "code_format",  # 票据代码 is 8 digits
    "number_format",  # 票据号码 is 10 digits
    "check_code_format",  # 校验码 is 6 letters/digits
    "payer_present",  # payer name present
    "issue_after_business",  # issue time >= business time
    "issue_not_future",  # issue time not in the future
    "inpatient_fields",  # inpatient (busType 01): hospitalNo, admission/discharge, discharge >= admission
    "outpatient_fields",  # outpatient types: patientNo present
    "payment_split_balance",  # totalAmt = fundPay + accountPay + otherfundPay + selfCashPay
    "channels_sum_total",  # sum of payment channels = totalAmt
    "item_amount_product",  # amt = std x number, to the cent
    "item_sort_sequence",  # sortNo runs 1..n, unique per bill
    "item_nonzero",  # no zero-amount item
    "item_unit_price_nonnegative",  # no negative unit price
    "items_sum_total",  # sum of item amt = totalAmt
    "red_has_blue",  # a red bill points at an existing blue bill
    "red_amount_equals_blue",  # ... of the same amount
    "red_at_most_one",  # a blue bill has at most one red bill
)

# Bills stuck in transit (在途).
TRANSIT_KINDS = ("before_supervision", "before_archive")

# Interface incidents in the call log (issue: interface monitor).
INTERFACE_INCIDENTS = (
    "remote_down",  # every call fails with a connection error: network or remote system down
    "degraded",  # calls succeed but are slow: remote degraded
    "local",  # errors from one issuing point only: a local fault
    "delivery_delay",  # deliveries late: issue-to-delivery time over its threshold
)

OTHER_SECTIONS = ("stock_low", "audit_deadline", "users", "readiness")
