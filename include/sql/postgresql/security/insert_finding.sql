INSERT INTO ebops.security_finding (audit_week, source, rule, target, category, severity, detail, advice, accepted,
    run_id, audited_at)
VALUES (%(audit_week)s, %(source)s, %(rule)s, %(target)s, %(category)s, %(severity)s, %(detail)s, %(advice)s,
    %(accepted)s, %(run_id)s, %(audited_at)s)
