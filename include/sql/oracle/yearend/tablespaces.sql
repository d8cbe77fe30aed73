-- Tablespaces with their data files summed (DBA_TABLESPACES, DBA_DATA_FILES).
SELECT t.tablespace_name,
       t.status,
       t.bigfile,
       f.size_bytes,
       f.max_bytes,
       f.autoextensible,
       f.file_count,
       CAST(NULL AS VARCHAR2(1)) AS location
FROM dba_tablespaces t
LEFT JOIN (
    SELECT d.tablespace_name,
           SUM(d.bytes) AS size_bytes,
           SUM(CASE WHEN d.autoextensible = 'YES' THEN d.maxbytes ELSE d.bytes END) AS max_bytes,
           MAX(d.autoextensible) AS autoextensible,
           COUNT(*) AS file_count
    FROM dba_data_files d
    GROUP BY d.tablespace_name
) f ON f.tablespace_name = t.tablespace_name
ORDER BY t.tablespace_name
