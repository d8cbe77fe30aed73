-- Partitions with their bound expression (parsed in Python), tablespace and storage options; the
-- year-end compaction leaves fillfactor=100 in options. Same columns as the Oracle file.
-- sandbox: db=bill role=ebill_owner
SELECT n.nspname AS owner,
       parent.relname AS table_name,
       c.relname AS partition_name,
       CAST(NULL AS integer) AS partition_position,
       pg_get_expr(c.relpartbound, c.oid) AS high_value,
       ts.spcname AS tablespace_name,
       CAST(NULL AS text) AS compression,
       CAST(NULL AS text) AS compress_for,
       CAST(c.reltuples AS bigint) AS num_rows,
       'NO' AS is_interval,
       array_to_string(c.reloptions, ',') AS options
FROM pg_inherits i
JOIN pg_class c ON c.oid = i.inhrelid
JOIN pg_class parent ON parent.oid = i.inhparent
JOIN pg_namespace n ON n.oid = parent.relnamespace
LEFT JOIN pg_tablespace ts ON ts.oid = c.reltablespace
WHERE n.nspname = %(owner)s
  AND parent.relkind = 'p'
  AND c.relkind IN ('r', 'p')
ORDER BY parent.relname, c.relname
