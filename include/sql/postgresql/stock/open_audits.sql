-- Audit cycles (审验) not yet passed, overdue ones included (an overdue audit blocks issuing).
SELECT cycle_id, period_start, period_end, deadline
FROM ebill.audit_cycle
WHERE result IS NULL
ORDER BY deadline, cycle_id
