-- sandbox: db=bill role=ebill_ro
-- Sessions waiting for a lock (pg_blocking_pids), their blockers, and the wait so far (waitstart).
SELECT CAST(w.pid AS text) AS waiting_session,
       w.usename AS waiting_user,
       array_to_string(pg_blocking_pids(w.pid), ',') AS blocking_session,
       (SELECT string_agg(DISTINCT b.usename, ',')
        FROM pg_catalog.pg_stat_activity b
        WHERE b.pid = ANY (pg_blocking_pids(w.pid))) AS blocking_user,
       w.wait_event_type || ':' || w.wait_event AS event,
       coalesce(CAST(extract(epoch FROM now() - (SELECT min(l.waitstart)
                                                 FROM pg_catalog.pg_locks l
                                                 WHERE l.pid = w.pid AND NOT l.granted)) AS bigint), 0) AS wait_seconds,
       CAST(w.query_id AS text) AS query_id
FROM pg_catalog.pg_stat_activity w
WHERE cardinality(pg_blocking_pids(w.pid)) > 0
ORDER BY wait_seconds DESC
