UPDATE backup_catalog
SET status = :status, verified_at = :verified_at, verdict = :verdict
WHERE backup_date = :backup_date AND method = :method
