-- sandbox: db=bill role=ebill_ro
-- PostgreSQL runs no job scheduler of its own; its built-in scheduled work is autovacuum. A table
-- whose dead rows are past the autovacuum trigger and that was not vacuumed for a day is a
-- maintenance job that should have run and did not.
SELECT 'autovacuum ' || s.schemaname || '.' || s.relname AS job_name,
       1 AS failures,
       CAST(greatest(s.last_vacuum, s.last_autovacuum) AS timestamp) AS last_run,
       s.n_dead_tup AS last_error
FROM pg_catalog.pg_stat_user_tables s
WHERE s.n_dead_tup > current_setting('autovacuum_vacuum_threshold')::bigint
        + current_setting('autovacuum_vacuum_scale_factor')::numeric * s.n_live_tup
  AND coalesce(greatest(s.last_vacuum, s.last_autovacuum), s.last_analyze, '-infinity') < now() - interval '1 day'
ORDER BY s.n_dead_tup DESC
LIMIT 50
