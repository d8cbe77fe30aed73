-- Index usability after partition maintenance: global indexes (VALID) and index partitions (USABLE).
SELECT i.table_owner AS owner,
       i.table_name,
       i.index_name,
       CAST(NULL AS VARCHAR2(128)) AS table_partition,
       i.status
FROM dba_indexes i
WHERE i.table_owner = :owner
  AND i.partitioned = 'NO'
UNION ALL
SELECT pi.owner,
       pi.table_name,
       ip.index_name,
       tp.partition_name AS table_partition,
       ip.status
FROM dba_part_indexes pi
JOIN dba_ind_partitions ip ON ip.index_owner = pi.owner AND ip.index_name = pi.index_name
LEFT JOIN dba_tab_partitions tp
  ON pi.locality = 'LOCAL'
 AND tp.table_owner = pi.owner
 AND tp.table_name = pi.table_name
 AND tp.partition_position = ip.partition_position
WHERE pi.owner = :owner
