-- sandbox: db=bill role=ebill_ro
-- Sequential scans per table of a schema since the statistics were reset: a big table read
-- whole, often, hints at a missing index.
SELECT s.schemaname AS schema_name, s.relname AS table_name, s.seq_scan, s.seq_tup_read,
       s.idx_scan, s.n_live_tup AS num_rows
FROM pg_stat_user_tables s
WHERE s.schemaname = %(schema_name)s
ORDER BY s.seq_tup_read DESC
