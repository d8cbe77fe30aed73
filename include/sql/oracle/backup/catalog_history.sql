-- Earlier backups of a method (size history for the size check, candidates for retention).
SELECT backup_date, method, file_url, size_bytes, status, verified_at, removed_at
FROM backup_catalog
WHERE method = :method
  AND backup_date < :backup_date
ORDER BY backup_date DESC
