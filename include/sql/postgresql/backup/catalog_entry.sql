SELECT backup_date, method, file_url, size_bytes, sha256, started_at, finished_at, status, verified_at, verdict,
       source_stats, removed_at
FROM ebops.backup_catalog
WHERE backup_date = %(backup_date)s AND method = %(method)s
