-- sandbox: db=bill role=ebill_ro
-- Scans and size per index of a schema since the statistics were reset. The indexes of a
-- partitioned table are summed over its partitions (a partition's index cannot be dropped alone).
WITH leaf AS (
    SELECT s.indexrelid, s.idx_scan, pg_relation_size(s.indexrelid) AS index_bytes,
           coalesce(inh.inhparent, s.indexrelid) AS top_index
    FROM pg_stat_user_indexes s
    LEFT JOIN pg_inherits inh ON inh.inhrelid = s.indexrelid
    WHERE s.schemaname = %(schema_name)s
)
SELECT n.nspname AS schema_name, t.relname AS table_name, ic.relname AS index_name,
       sum(leaf.idx_scan) AS scans, sum(leaf.index_bytes) AS index_bytes,
       bool_or(x.indisunique OR x.indisprimary) AS is_unique
FROM leaf
JOIN pg_class ic ON ic.oid = leaf.top_index
JOIN pg_index x ON x.indexrelid = leaf.top_index
JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
GROUP BY n.nspname, t.relname, ic.relname
ORDER BY sum(leaf.index_bytes) DESC
