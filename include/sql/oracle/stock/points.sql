SELECT place_code, place_name, active, stock_warn_level, lead_time_days
FROM issuing_point
ORDER BY place_code
