-- sandbox: db=bill role=ebill_ro
-- A core table and, when it is partitioned, every partition (pg_dump -t names each one:
-- PostgreSQL 15's pg_dump has no --table-and-children; pg_partition_tree is empty for a plain table).
SELECT r.relation
FROM (SELECT CAST(CAST(p.relid AS regclass) AS text) AS relation, p.level
      FROM pg_partition_tree(CAST(%(schema_name)s || '.' || %(table_name)s AS regclass)) p
      UNION ALL
      SELECT CAST(CAST(%(schema_name)s || '.' || %(table_name)s AS regclass) AS text), 0) r
GROUP BY r.relation
ORDER BY min(r.level), r.relation
