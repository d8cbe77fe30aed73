-- Tables of the schema with their partitioning (pg_partitioned_table). PostgreSQL has no interval
-- partitioning, so interval_expr is always NULL. Same columns as the Oracle file.
-- sandbox: db=bill role=ebill_owner
SELECT n.nspname AS owner,
       c.relname AS table_name,
       CASE pt.partstrat WHEN 'r' THEN 'RANGE' WHEN 'l' THEN 'LIST' WHEN 'h' THEN 'HASH' END AS partitioning_type,
       CAST(NULL AS text) AS interval_expr,
       ts.spcname AS def_tablespace_name,
       (SELECT string_agg(a.attname, ',' ORDER BY k.ord)
          FROM unnest(CAST(pt.partattrs AS int2[])) WITH ORDINALITY AS k(attnum, ord)
          JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum) AS key_columns
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_partitioned_table pt ON pt.partrelid = c.oid
LEFT JOIN pg_tablespace ts ON ts.oid = c.reltablespace
WHERE n.nspname = %(owner)s
  AND c.relkind IN ('r', 'p')
  AND NOT c.relispartition
ORDER BY c.relname
