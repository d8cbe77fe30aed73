-- Index usability per partition (pg_index: valid and ready). Same columns as the Oracle file.
-- sandbox: db=bill role=ebill_owner
SELECT n.nspname AS owner,
       parent.relname AS table_name,
       ic.relname AS index_name,
       c.relname AS table_partition,
       CASE WHEN x.indisvalid AND x.indisready THEN 'VALID' ELSE 'UNUSABLE' END AS status
FROM pg_inherits i
JOIN pg_class c ON c.oid = i.inhrelid
JOIN pg_class parent ON parent.oid = i.inhparent
JOIN pg_namespace n ON n.oid = parent.relnamespace
JOIN pg_index x ON x.indrelid = c.oid
JOIN pg_class ic ON ic.oid = x.indexrelid
WHERE n.nspname = %(owner)s
  AND parent.relkind = 'p'
ORDER BY parent.relname, c.relname, ic.relname
