-- Pass rates per rule and day over a range of days (report, trend, summary).
SELECT check_day, rule_id, severity, source, bills, checked, failed, pass_rate, status, engine, data_docs_url,
    run_id, computed_at
FROM quality_pass_rate
WHERE check_day >= :first_day
  AND check_day <= :last_day
ORDER BY check_day, rule_id
