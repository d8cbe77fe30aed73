-- Temporary tablespaces (free space counts reusable allocated extents) and undo (only ACTIVE and
-- UNEXPIRED extents are in use; EXPIRED ones are reusable) against the autoextend ceiling.
SELECT 'TEMP' AS area,
       tablespace_name,
       ROUND((tablespace_size - free_space) / 1048576, 1) AS used_mb,
       ROUND(tablespace_size / 1048576, 1) AS size_mb
FROM dba_temp_free_space
UNION ALL
SELECT 'UNDO' AS area,
       e.tablespace_name,
       ROUND(SUM(CASE WHEN e.status IN ('ACTIVE', 'UNEXPIRED') THEN e.bytes ELSE 0 END) / 1048576, 1) AS used_mb,
       ROUND(MAX(f.max_bytes) / 1048576, 1) AS size_mb
FROM dba_undo_extents e
JOIN (SELECT tablespace_name, SUM(GREATEST(bytes, maxbytes)) AS max_bytes
      FROM dba_data_files
      GROUP BY tablespace_name) f ON f.tablespace_name = e.tablespace_name
GROUP BY e.tablespace_name
