-- The mail already sent for a check date (none: not mailed yet).
SELECT check_date, severity, detail, mailed_at
FROM ebops.stock_notice
WHERE check_date = %(check_date)s
FOR UPDATE
