-- The most expensive statements in the shared pool, cumulative since each was loaded (the
-- advisor subtracts its previous weekly snapshot). V$SQLSTATS needs no Diagnostics Pack (AWR/ASH
-- do); the account needs SELECT on V_$SQLSTATS (SELECT_CATALOG_ROLE has it). One row per sql_id
-- over its plans.
SELECT s.sql_id,
       SUM(s.executions) AS calls,
       ROUND(SUM(s.elapsed_time) / 1000, 3) AS total_ms,
       SUM(s.rows_processed) AS rows_processed,
       SUM(s.buffer_gets) AS logical_reads,
       SUM(s.disk_reads) AS disk_reads,
       SUM(s.direct_writes) AS temp_blocks,
       MIN(s.sql_text) AS sql_text
FROM v$sqlstats s
GROUP BY s.sql_id
ORDER BY SUM(s.elapsed_time) DESC
FETCH FIRST :fetch_n ROWS ONLY
