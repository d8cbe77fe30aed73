-- Every finding of one audit week, worst first.
SELECT audit_week, source, rule, target, category, severity, detail, advice, accepted, run_id, audited_at
FROM ebops.security_finding
WHERE audit_week = %(audit_week)s
ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, source, rule, target
