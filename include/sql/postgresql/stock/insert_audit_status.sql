INSERT INTO ebops.audit_deadline_status (check_date, cycle_id, period_start, period_end, deadline, days_left,
    severity, computed_at)
VALUES (%(check_date)s, %(cycle_id)s, %(period_start)s, %(period_end)s, %(deadline)s, %(days_left)s,
    %(severity)s, %(computed_at)s)
