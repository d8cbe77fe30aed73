-- Bytes per table partition and per local index partition mapped to its table partition (DBA_SEGMENTS).
SELECT s.owner,
       s.segment_name AS table_name,
       s.partition_name,
       'TABLE' AS kind,
       s.bytes
FROM dba_segments s
WHERE s.owner = :owner
  AND s.segment_type = 'TABLE PARTITION'
UNION ALL
SELECT pi.owner,
       pi.table_name,
       tp.partition_name,
       'INDEX' AS kind,
       s.bytes
FROM dba_part_indexes pi
JOIN dba_ind_partitions ip ON ip.index_owner = pi.owner AND ip.index_name = pi.index_name
JOIN dba_tab_partitions tp
  ON tp.table_owner = pi.owner AND tp.table_name = pi.table_name AND tp.partition_position = ip.partition_position
JOIN dba_segments s
  ON s.owner = ip.index_owner AND s.segment_name = ip.index_name AND s.partition_name = ip.partition_name
WHERE pi.owner = :owner
  AND pi.locality = 'LOCAL'
