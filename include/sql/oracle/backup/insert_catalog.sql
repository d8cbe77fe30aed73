INSERT INTO backup_catalog (backup_date, method, file_url, size_bytes, sha256, started_at, finished_at,
    status, verified_at, verdict, source_stats, removed_at)
VALUES (:backup_date, :method, :file_url, :size_bytes, :sha256, :started_at, :finished_at,
    :status, NULL, :verdict, :source_stats, NULL)
