-- sandbox: db=bill role=ebill_ro
-- PostgreSQL's error counters of this database (the server log is not readable without file
-- access): cumulative, so the inspection judges the increase since its previous run.
SELECT 'deadlocks' AS message, deadlocks AS error_count, CAST(now() AS timestamp) AS last_seen, 1 AS cumulative
FROM pg_catalog.pg_stat_database WHERE datname = current_database()
UNION ALL
SELECT 'checksum_failures', coalesce(checksum_failures, 0), CAST(checksum_last_failure AS timestamp), 1
FROM pg_catalog.pg_stat_database WHERE datname = current_database()
UNION ALL
SELECT 'recovery_conflicts', conflicts, CAST(now() AS timestamp), 1
FROM pg_catalog.pg_stat_database WHERE datname = current_database()
