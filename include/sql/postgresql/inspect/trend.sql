-- Key figures per inspection date for the report's trend chart.
SELECT check_date, check_name, max(value) AS max_value, sum(value) AS sum_value, max(raw_value) AS max_raw,
       sum(CASE WHEN severity = 'critical' THEN 1 ELSE 0 END) AS critical_count,
       sum(CASE WHEN severity = 'warning' THEN 1 ELSE 0 END) AS warning_count
FROM ebops.inspection_finding
WHERE check_date >= %(from_date)s
  AND check_date <= %(to_date)s
GROUP BY check_date, check_name
ORDER BY check_date, check_name
