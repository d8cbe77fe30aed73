INSERT INTO ebops.yearend_readiness (target_year, check_id, title, passed, severity, detail, items, checked_at,
    run_id)
VALUES (%(target_year)s, %(check_id)s, %(title)s, %(passed)s, %(severity)s, %(detail)s, %(items)s,
    %(checked_at)s, %(run_id)s)
