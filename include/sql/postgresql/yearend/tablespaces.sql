-- Tablespaces (pg_tablespace). PostgreSQL has no data files, sizes or read-only state to report.
-- sandbox: db=bill role=ebill_owner
SELECT t.spcname AS tablespace_name,
       'ONLINE' AS status,
       CAST(NULL AS text) AS bigfile,
       CAST(NULL AS bigint) AS size_bytes,
       CAST(NULL AS bigint) AS max_bytes,
       CAST(NULL AS text) AS autoextensible,
       CAST(NULL AS integer) AS file_count,
       pg_tablespace_location(t.oid) AS location
FROM pg_tablespace t
ORDER BY t.spcname
