DELETE FROM audit_deadline_status WHERE check_date = :check_date
