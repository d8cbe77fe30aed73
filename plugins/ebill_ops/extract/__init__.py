"""Data extraction for auditors and ad-hoc requests (审计取数 / 临时取数): predefined,
parameterised queries streamed into an Excel workbook with a cover sheet. Read-only."""
