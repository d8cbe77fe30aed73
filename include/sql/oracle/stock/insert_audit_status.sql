INSERT INTO audit_deadline_status (check_date, cycle_id, period_start, period_end, deadline, days_left,
    severity, computed_at)
VALUES (:check_date, :cycle_id, :period_start, :period_end, :deadline, :days_left, :severity, :computed_at)
