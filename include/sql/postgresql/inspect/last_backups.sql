-- The newest catalogue entries (not yet removed by retention): the inspection's backup checks.
SELECT backup_date, method, file_url, size_bytes, status, started_at, finished_at, verified_at, verdict
FROM ebops.backup_catalog
WHERE removed_at IS NULL
ORDER BY backup_date DESC, method
LIMIT 20
