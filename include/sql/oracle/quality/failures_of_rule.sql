-- The fix list: one rule's failing bills over the window's days, capped at max_rows.
SELECT check_day, rule_id, bill_id, ivc_date_time, severity, bus_no, place_code, bus_type, bill_batch_code, bill_no,
    bus_date_time, total_amt, observed, detail, engine, run_id, found_at
FROM quality_failure
WHERE rule_id = :rule_id
  AND check_day >= :first_day
  AND check_day <= :last_day
ORDER BY check_day, bill_id
FETCH FIRST :max_rows ROWS ONLY
