-- Optimizer statistics per table and partition of a schema: Oracle's own staleness flag (10 %
-- of rows changed by default), the changes it is based on, when they were gathered, and whether
-- they are locked. DBA_TAB_MODIFICATIONS is flushed every few minutes, so it may lag a little.
SELECT st.owner AS schema_name,
       st.table_name,
       st.partition_name,
       st.num_rows,
       m.inserts + m.updates + m.deletes AS modified_rows,
       st.last_analyzed,
       st.stale_stats AS stale_flag,
       st.stattype_locked AS locked,
       CASE WHEN st.object_type = 'TABLE' AND t.partitioned = 'YES' THEN 1 ELSE 0 END AS partitioned,
       CAST(NULL AS DATE) AS children_analyzed
FROM dba_tab_statistics st
JOIN dba_tables t ON t.owner = st.owner AND t.table_name = st.table_name
LEFT JOIN dba_tab_modifications m
  ON m.table_owner = st.owner AND m.table_name = st.table_name
 AND NVL(m.partition_name, '-') = NVL(st.partition_name, '-') AND m.subpartition_name IS NULL
WHERE st.owner = :schema_name AND st.object_type IN ('TABLE', 'PARTITION')
ORDER BY st.table_name, st.partition_name
