-- sandbox: db=bill role=ebill_ro
-- The WAL directory and the archiver: WAL piles up when archiving fails. No fixed limit (the
-- filesystem is judged by the host checks); pg_ls_waldir needs pg_monitor.
SELECT 'pg_wal' AS location,
       round(w.size / 1048576.0, 1) AS used_mb,
       0 AS reclaimable_mb,
       CAST(NULL AS numeric) AS limit_mb,
       CASE WHEN a.last_failed_time IS NOT NULL
                 AND (a.last_archived_time IS NULL OR a.last_failed_time > a.last_archived_time)
            THEN 1 ELSE 0 END AS archive_errors
FROM (SELECT coalesce(sum(size), 0) AS size FROM pg_ls_waldir()) w
CROSS JOIN pg_catalog.pg_stat_archiver a
