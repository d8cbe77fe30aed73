-- Invalid objects of application schemas (not Oracle's own), per owner and type.
SELECT owner, object_type, COUNT(*) AS invalid_count
FROM dba_objects
WHERE status = 'INVALID'
  AND owner IN (SELECT username FROM dba_users WHERE oracle_maintained = 'N')
GROUP BY owner, object_type
ORDER BY owner, object_type
