DELETE FROM ebops.security_audit_source
WHERE audit_week = %(audit_week)s AND source = %(source)s
