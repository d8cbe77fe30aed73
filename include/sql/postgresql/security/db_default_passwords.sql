-- sandbox: db=bill role=ebill_ro
-- PostgreSQL ships no default passwords (initdb sets none), so there is no list to read here:
-- weak role passwords are found by the offline test of pg_shadow (security/db_password_hashes).
-- Returns no rows, with the columns of the Oracle query.
SELECT CAST(NULL AS text) AS username, CAST(NULL AS text) AS account_status
WHERE false
