-- Tables of the owner with their partitioning (DBA_TABLES, DBA_PART_TABLES, DBA_PART_KEY_COLUMNS).
-- interval_expr is NULL unless the table is interval-partitioned (then no ADD PARTITION is needed).
SELECT t.owner,
       t.table_name,
       p.partitioning_type,
       p."INTERVAL" AS interval_expr,
       p.def_tablespace_name,
       (SELECT LISTAGG(k.column_name, ',') WITHIN GROUP (ORDER BY k.column_position)
          FROM dba_part_key_columns k
         WHERE k.owner = t.owner
           AND k.name = t.table_name
           AND k.object_type = 'TABLE') AS key_columns
FROM dba_tables t
LEFT JOIN dba_part_tables p ON p.owner = t.owner AND p.table_name = t.table_name
WHERE t.owner = :owner
ORDER BY t.table_name
