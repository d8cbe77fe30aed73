INSERT INTO ebops.stock_status (check_date, place_code, bill_batch_code, remaining, used_per_day, days_left,
    warn_level, lead_time_days, severity, advice, computed_at)
VALUES (%(check_date)s, %(place_code)s, %(bill_batch_code)s, %(remaining)s, %(used_per_day)s, %(days_left)s,
    %(warn_level)s, %(lead_time_days)s, %(severity)s, %(advice)s, %(computed_at)s)
