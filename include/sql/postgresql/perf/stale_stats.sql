-- sandbox: db=bill role=ebill_ro
-- Optimizer statistics per table of a schema: rows changed since the last analyze and when that
-- was. A partitioned table (relkind p) shows its partitions' rows and their newest analyze:
-- autovacuum analyzes partitions, never the parent, so the parent's own statistics go stale.
SELECT s.schemaname AS schema_name,
       s.relname AS table_name,
       CAST(NULL AS varchar) AS partition_name,
       CASE WHEN c.relkind = 'p'
            THEN (SELECT sum(cs.n_live_tup) FROM pg_inherits i
                  JOIN pg_stat_user_tables cs ON cs.relid = i.inhrelid WHERE i.inhparent = s.relid)
            ELSE s.n_live_tup END AS num_rows,
       s.n_mod_since_analyze AS modified_rows,
       greatest(s.last_analyze, s.last_autoanalyze) AS last_analyzed,
       CAST(NULL AS varchar) AS stale_flag,
       CAST(NULL AS varchar) AS locked,
       c.relkind = 'p' AS partitioned,
       (SELECT max(greatest(cs.last_analyze, cs.last_autoanalyze)) FROM pg_inherits i
        JOIN pg_stat_user_tables cs ON cs.relid = i.inhrelid WHERE i.inhparent = s.relid) AS children_analyzed
FROM pg_stat_user_tables s
JOIN pg_class c ON c.oid = s.relid
WHERE s.schemaname = %(schema_name)s
ORDER BY s.relname
