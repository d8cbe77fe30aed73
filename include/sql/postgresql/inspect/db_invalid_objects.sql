-- sandbox: db=bill role=ebill_ro
-- PostgreSQL's invalid objects are indexes left invalid by a failed CREATE INDEX CONCURRENTLY.
SELECT n.nspname AS owner, 'INDEX' AS object_type, count(*) AS invalid_count
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE NOT i.indisvalid
GROUP BY n.nspname
ORDER BY n.nspname
