UPDATE backup_catalog
SET removed_at = :removed_at, status = CASE WHEN status = 'verified' THEN 'expired' ELSE status END
WHERE backup_date = :backup_date AND method = :method
