INSERT INTO stock_status (check_date, place_code, bill_batch_code, remaining, used_per_day, days_left,
    warn_level, lead_time_days, severity, advice, computed_at)
VALUES (:check_date, :place_code, :bill_batch_code, :remaining, :used_per_day, :days_left,
    :warn_level, :lead_time_days, :severity, :advice, :computed_at)
