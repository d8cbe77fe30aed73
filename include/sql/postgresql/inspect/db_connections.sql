-- sandbox: db=bill role=ebill_ro
-- Client connections of the whole server against what ordinary roles may open.
SELECT 'connections' AS resource_name,
       (SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE backend_type = 'client backend') AS used,
       current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int AS limit_value
