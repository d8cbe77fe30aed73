INSERT INTO security_finding (audit_week, source, rule, target, category, severity, detail, advice, accepted,
    run_id, audited_at)
VALUES (:audit_week, :source, :rule, :target, :category, :severity, :detail, :advice,
    :accepted, :run_id, :audited_at)
