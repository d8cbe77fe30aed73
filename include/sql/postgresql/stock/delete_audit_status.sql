DELETE FROM ebops.audit_deadline_status WHERE check_date = %(check_date)s
