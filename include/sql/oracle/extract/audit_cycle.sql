-- One audit cycle (审验周期): its period becomes the extraction's window.
SELECT cycle_id, period_start, period_end, deadline, submitted_time, result
FROM audit_cycle
WHERE cycle_id = :cycle_id
