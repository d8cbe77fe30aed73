-- Earlier backups of a method (size history for the size check, candidates for retention).
SELECT backup_date, method, file_url, size_bytes, status, verified_at, removed_at
FROM ebops.backup_catalog
WHERE method = %(method)s
  AND backup_date < %(backup_date)s
ORDER BY backup_date DESC
