SELECT check_date, category, check_name, target, source, value, raw_value, unit, threshold, severity, advice,
       detail, observed_at
FROM inspection_finding
WHERE check_date = :check_date
ORDER BY category, check_name, target
