-- A source's findings of one audit week (before the re-run's insert).
DELETE FROM security_finding
WHERE audit_week = :audit_week AND source = :source
