-- The findings of the latest inspection before this one from one source (counters, sizes).
SELECT check_date, category, check_name, target, source, value, raw_value, unit, threshold, severity, advice,
       detail, observed_at
FROM ebops.inspection_finding
WHERE source = %(source)s
  AND check_date = (SELECT max(check_date) FROM ebops.inspection_finding
                    WHERE check_date < %(check_date)s AND source = %(source)s)
