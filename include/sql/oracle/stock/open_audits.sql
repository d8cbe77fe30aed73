-- Audit cycles (审验) not yet passed whose deadline is today or later.
SELECT cycle_id, period_start, period_end, deadline
FROM audit_cycle
WHERE result IS NULL
  AND deadline >= :check_date
ORDER BY deadline
