-- sandbox: db=bill role=ebill_ro
-- Client sessions running one statement, or idle inside an open transaction (holding locks and
-- blocking vacuum), for at least min_seconds; the query id only, never the text (literals).
SELECT CAST(a.pid AS text) AS session_id,
       a.usename AS username,
       a.application_name AS program,
       a.state,
       CAST(a.query_id AS text) AS query_id,
       CAST(extract(epoch FROM now() - CASE WHEN a.state = 'active' THEN a.query_start ELSE a.xact_start END) AS bigint) AS seconds
FROM pg_catalog.pg_stat_activity a
WHERE a.backend_type = 'client backend'
  AND a.pid <> pg_backend_pid()
  AND a.state IN ('active', 'idle in transaction', 'idle in transaction (aborted)')
  AND CASE WHEN a.state = 'active' THEN a.query_start ELSE a.xact_start END
      < now() - make_interval(secs => %(min_seconds)s)
ORDER BY seconds DESC
LIMIT 50
