-- Full scans per table of a schema since instance start ("segment scans" in
-- V$SEGMENT_STATISTICS, summed over partitions): a big table read whole, often, hints at a
-- missing index. Rows read per scan are not known here (NULL).
SELECT t.owner AS schema_name, t.table_name,
       SUM(ss.value) AS seq_scan,
       CAST(NULL AS NUMBER) AS seq_tup_read,
       CAST(NULL AS NUMBER) AS idx_scan,
       MAX(t.num_rows) AS num_rows
FROM dba_tables t
JOIN v$segment_statistics ss
  ON ss.owner = t.owner AND ss.object_name = t.table_name AND ss.statistic_name = 'segment scans'
WHERE t.owner = :schema_name
GROUP BY t.owner, t.table_name
ORDER BY SUM(ss.value) DESC
