-- Key figures per inspection date for the report's trend chart.
SELECT check_date, check_name, MAX(value) AS max_value, SUM(value) AS sum_value, MAX(raw_value) AS max_raw,
       SUM(CASE WHEN severity = 'critical' THEN 1 ELSE 0 END) AS critical_count,
       SUM(CASE WHEN severity = 'warning' THEN 1 ELSE 0 END) AS warning_count
FROM inspection_finding
WHERE check_date >= :from_date
  AND check_date <= :to_date
GROUP BY check_date, check_name
ORDER BY check_date, check_name
