-- Partitions with their bound (HIGH_VALUE is a LONG: fetched as text, parsed in Python), tablespace
-- and compression attribute (DBA_TAB_PARTITIONS).
SELECT p.table_owner AS owner,
       p.table_name,
       p.partition_name,
       p.partition_position,
       p.high_value,
       p.tablespace_name,
       p.compression,
       p.compress_for,
       p.num_rows,
       p."INTERVAL" AS is_interval,
       CAST(NULL AS VARCHAR2(1)) AS options
FROM dba_tab_partitions p
WHERE p.table_owner = :owner
ORDER BY p.table_name, p.partition_position
