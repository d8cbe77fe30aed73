-- sandbox: db=bill role=ebill_ro
-- The most expensive statements of this database, cumulative since pg_stat_statements was last
-- reset (the advisor subtracts its previous weekly snapshot). Needs the pg_stat_statements
-- extension; other accounts' statements need pg_read_all_stats (part of pg_monitor), otherwise
-- their text reads "<insufficient privilege>" and their queryid is NULL.
SELECT CAST(s.queryid AS varchar) AS sql_id,
       sum(s.calls) AS calls,
       round(CAST(sum(s.total_exec_time) AS numeric), 3) AS total_ms,
       sum(s.rows) AS rows_processed,
       sum(s.shared_blks_hit + s.shared_blks_read) AS logical_reads,
       sum(s.shared_blks_read) AS disk_reads,
       sum(s.temp_blks_written) AS temp_blocks,
       min(s.query) AS sql_text
FROM pg_stat_statements s
WHERE s.dbid = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
GROUP BY s.queryid
ORDER BY sum(s.total_exec_time) DESC
LIMIT %(fetch_n)s
