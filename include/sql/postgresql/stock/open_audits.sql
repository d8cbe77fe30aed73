-- Audit cycles (审验) not yet passed whose deadline is today or later.
SELECT cycle_id, period_start, period_end, deadline
FROM ebill.audit_cycle
WHERE result IS NULL
  AND deadline >= %(check_date)s
ORDER BY deadline
