-- Permanent tablespaces as Oracle's own metric sees them: DBA_TABLESPACE_USAGE_METRICS counts
-- used blocks against the size the datafiles may autoextend to (MAXBYTES), so an autoextensible
-- tablespace is judged by its ceiling, not by its current file size. Needs SELECT_CATALOG_ROLE.
SELECT m.tablespace_name,
       ROUND(m.used_space * t.block_size / 1048576, 1) AS used_mb,
       ROUND(m.tablespace_size * t.block_size / 1048576, 1) AS max_mb,
       ROUND(m.used_percent, 2) AS used_pct,
       (SELECT CASE WHEN COUNT(*) > 0 THEN 1 ELSE 0 END
        FROM dba_data_files f
        WHERE f.tablespace_name = m.tablespace_name AND f.autoextensible = 'YES') AS autoextensible
FROM dba_tablespace_usage_metrics m
JOIN dba_tablespaces t ON t.tablespace_name = m.tablespace_name
WHERE t.contents = 'PERMANENT'
ORDER BY m.used_percent DESC
