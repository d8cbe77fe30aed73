INSERT INTO ebops.stock_notice (check_date, severity, detail, mailed_at)
VALUES (%(check_date)s, %(severity)s, %(detail)s, %(mailed_at)s)
ON CONFLICT (check_date) DO UPDATE SET severity = EXCLUDED.severity, detail = EXCLUDED.detail,
    mailed_at = EXCLUDED.mailed_at
