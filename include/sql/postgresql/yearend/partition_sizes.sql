-- Bytes per partition: the table (with TOAST) and its indexes. Same columns as the Oracle file.
-- sandbox: db=bill role=ebill_owner
SELECT n.nspname AS owner,
       parent.relname AS table_name,
       c.relname AS partition_name,
       k.kind,
       k.bytes
FROM pg_inherits i
JOIN pg_class c ON c.oid = i.inhrelid
JOIN pg_class parent ON parent.oid = i.inhparent
JOIN pg_namespace n ON n.oid = parent.relnamespace
CROSS JOIN LATERAL (VALUES ('TABLE', pg_table_size(c.oid)), ('INDEX', pg_indexes_size(c.oid))) AS k(kind, bytes)
WHERE n.nspname = %(owner)s
  AND parent.relkind = 'p'
  AND c.relkind = 'r'
