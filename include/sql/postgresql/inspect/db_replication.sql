-- sandbox: db=bill role=ebill_ro
-- Streaming standbys of this server (replay lag), and this server's own delay when it is a standby.
SELECT r.application_name || '@' || coalesce(host(r.client_addr), 'local') AS standby,
       'replay lag' AS metric,
       coalesce(extract(epoch FROM r.replay_lag), 0) AS lag_seconds,
       r.state
FROM pg_catalog.pg_stat_replication r
UNION ALL
SELECT 'this server (standby)', 'replay delay',
       coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0), 'recovery'
WHERE pg_is_in_recovery()
