-- Sessions waiting for a lock another session holds, with how long they have waited.
SELECT TO_CHAR(w.sid) AS waiting_session,
       w.username AS waiting_user,
       TO_CHAR(w.blocking_session) AS blocking_session,
       b.username AS blocking_user,
       w.event,
       ROUND(w.wait_time_micro / 1000000) AS wait_seconds,
       w.sql_id AS query_id
FROM v$session w
LEFT JOIN v$session b ON b.sid = w.blocking_session
WHERE w.blocking_session IS NOT NULL
  AND w.blocking_session_status = 'VALID'
ORDER BY wait_seconds DESC
