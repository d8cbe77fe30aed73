-- Estimated fragmentation per table and partition: blocks below the high-water mark against
-- what its rows need (NUM_ROWS x AVG_ROW_LEN, PCT_FREE), from the optimizer statistics.
-- DBA_TABLES has no dead-row count: DEAD_ROWS is NULL.
SELECT t.owner AS schema_name, t.table_name, CAST(NULL AS VARCHAR2(128)) AS partition_name,
       t.num_rows, CAST(NULL AS NUMBER) AS dead_rows,
       t.blocks * ts.block_size AS table_bytes,
       CEIL(t.num_rows * t.avg_row_len / (ts.block_size * (100 - NVL(t.pct_free, 10)) / 100)) * ts.block_size
           AS expected_bytes
FROM dba_tables t
JOIN dba_tablespaces ts ON ts.tablespace_name = t.tablespace_name
WHERE t.owner = :schema_name AND t.partitioned = 'NO' AND t.num_rows IS NOT NULL AND t.blocks IS NOT NULL
UNION ALL
SELECT p.table_owner, p.table_name, p.partition_name,
       p.num_rows, CAST(NULL AS NUMBER),
       p.blocks * ts.block_size,
       CEIL(p.num_rows * p.avg_row_len / (ts.block_size * (100 - NVL(p.pct_free, 10)) / 100)) * ts.block_size
FROM dba_tab_partitions p
JOIN dba_tablespaces ts ON ts.tablespace_name = p.tablespace_name
WHERE p.table_owner = :schema_name AND p.num_rows IS NOT NULL AND p.blocks IS NOT NULL
