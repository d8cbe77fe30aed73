DELETE FROM security_audit_source
WHERE audit_week = :audit_week AND source = :source
