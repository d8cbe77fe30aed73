-- sandbox: db=bill role=ebill_ro
-- Transaction-ID and multixact age per database; PostgreSQL stops writes near 2^31.
SELECT datname AS database_name,
       CAST(age(datfrozenxid) AS bigint) AS xid_age,
       CAST(mxid_age(datminmxid) AS bigint) AS mxid_age
FROM pg_catalog.pg_database
WHERE datallowconn
ORDER BY xid_age DESC
