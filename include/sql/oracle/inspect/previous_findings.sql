-- The findings of the latest inspection before this one from one source (counters, sizes).
SELECT check_date, category, check_name, target, source, value, raw_value, unit, threshold, severity, advice,
       detail, observed_at
FROM inspection_finding
WHERE source = :source
  AND check_date = (SELECT MAX(check_date) FROM inspection_finding
                    WHERE check_date < :check_date AND source = :source)
