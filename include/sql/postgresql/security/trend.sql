-- Warning and critical findings per week since a date (the report's trend).
SELECT audit_week,
       SUM(CASE WHEN severity = 'critical' THEN 1 ELSE 0 END) AS critical_count,
       SUM(CASE WHEN severity = 'warning' THEN 1 ELSE 0 END) AS warning_count,
       SUM(CASE WHEN severity = 'info' THEN 1 ELSE 0 END) AS info_count
FROM ebops.security_finding
WHERE audit_week >= %(since)s AND audit_week <= %(audit_week)s
GROUP BY audit_week
ORDER BY audit_week
