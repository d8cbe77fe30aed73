-- sandbox: db=bill role=ebill_ro
-- Since when the table and index counters (pg_stat_user_tables, pg_stat_user_indexes) count:
-- the database's last statistics reset (any reset, even of one table, moves it), else the server
-- start (counters kept over a clean restart only make the claim "no scan since" stronger).
-- Not pg_stat_statements_info: pg_stat_statements_reset() and pg_stat_reset() are separate.
SELECT coalesce(d.stats_reset, pg_postmaster_start_time()) AS since
FROM pg_stat_database d
WHERE d.datname = current_database()
