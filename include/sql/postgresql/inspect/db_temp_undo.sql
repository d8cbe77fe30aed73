-- sandbox: db=bill role=ebill_ro
-- PostgreSQL has no undo; temporary files written since the statistics reset are reported
-- (no ceiling: temp_file_limit is per session). Heavy temp use points at sorts that spill.
SELECT 'TEMP' AS area,
       datname AS tablespace_name,
       round(temp_bytes / 1048576.0, 1) AS used_mb,
       CAST(NULL AS numeric) AS size_mb
FROM pg_catalog.pg_stat_database
WHERE datname = current_database()
