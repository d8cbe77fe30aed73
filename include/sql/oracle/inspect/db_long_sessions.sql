-- User sessions busy in one call for at least :min_seconds (no SQL text: it may hold literals).
SELECT TO_CHAR(s.sid) || ',' || TO_CHAR(s.serial#) AS session_id,
       s.username,
       s.program,
       s.status AS state,
       s.sql_id AS query_id,
       s.last_call_et AS seconds
FROM v$session s
WHERE s.type = 'USER'
  AND s.status = 'ACTIVE'
  AND s.last_call_et >= :min_seconds
ORDER BY s.last_call_et DESC
FETCH FIRST 50 ROWS ONLY
