-- sandbox: db=bill role=ebill_ro
-- PostgreSQL tablespaces have no size limit of their own (the filesystem is the limit, judged by
-- the host checks): size only, used_pct NULL. pg_tablespace_size needs pg_read_all_stats (pg_monitor).
SELECT spcname AS tablespace_name,
       round(pg_tablespace_size(oid) / 1048576.0, 1) AS used_mb,
       CAST(NULL AS numeric) AS max_mb,
       CAST(NULL AS numeric) AS used_pct,
       0 AS autoextensible
FROM pg_catalog.pg_tablespace
WHERE spcname <> 'pg_global'
ORDER BY spcname
