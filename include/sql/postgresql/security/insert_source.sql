INSERT INTO ebops.security_audit_source (audit_week, source, run_id, as_of, audited_at, accounts, hashes_tested,
    hashes_computed, limited, untestable, candidates, seconds)
VALUES (%(audit_week)s, %(source)s, %(run_id)s, %(as_of)s, %(audited_at)s, %(accounts)s, %(hashes_tested)s,
    %(hashes_computed)s, %(limited)s, %(untestable)s, %(candidates)s, %(seconds)s)
