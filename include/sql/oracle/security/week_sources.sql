-- The sources audited in one week, with what each covered.
SELECT audit_week, source, run_id, as_of, audited_at, accounts, hashes_tested, hashes_computed, limited,
       untestable, candidates, seconds
FROM security_audit_source
WHERE audit_week = :audit_week
ORDER BY source
