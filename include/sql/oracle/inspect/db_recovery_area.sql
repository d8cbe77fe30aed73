-- Fast recovery area: used minus reclaimable (obsolete backups, applied archived logs) against
-- the limit, and archive destinations in error (archiver stuck: ORA-00257 follows).
SELECT name AS location,
       ROUND(space_used / 1048576, 1) AS used_mb,
       ROUND(space_reclaimable / 1048576, 1) AS reclaimable_mb,
       ROUND(space_limit / 1048576, 1) AS limit_mb,
       (SELECT COUNT(*) FROM v$archive_dest d WHERE d.status = 'ERROR') AS archive_errors
FROM v$recovery_file_dest
