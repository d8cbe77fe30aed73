-- Space the database's segments occupy (growth is judged against the previous inspection).
SELECT d.name AS database_name, ROUND(s.bytes / 1048576, 1) AS size_mb
FROM v$database d
CROSS JOIN (SELECT SUM(bytes) AS bytes FROM dba_segments) s
