-- Audit cycles (审验) still open, or whose deadline is on or after the day of the check.
SELECT cycle_id, period_start, period_end, deadline, submitted_time, result
FROM ebill.audit_cycle
WHERE result IS NULL
   OR deadline >= %(as_of)s
ORDER BY deadline, cycle_id
