-- Oracle has no transaction-ID wraparound (its SCN is 48+ bits): the check names the database
-- and reports no value, which the inspection shows as not applicable.
SELECT name AS database_name, CAST(NULL AS NUMBER) AS xid_age, CAST(NULL AS NUMBER) AS mxid_age
FROM v$database
