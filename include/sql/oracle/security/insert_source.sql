INSERT INTO security_audit_source (audit_week, source, run_id, as_of, audited_at, accounts, hashes_tested,
    hashes_computed, limited, untestable, candidates, seconds)
VALUES (:audit_week, :source, :run_id, :as_of, :audited_at, :accounts, :hashes_tested,
    :hashes_computed, :limited, :untestable, :candidates, :seconds)
