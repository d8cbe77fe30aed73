-- sandbox: db=bill role=ebill_ro
-- Login roles whose password validity (VALID UNTIL) has passed or ends within expiry_days.
SELECT rolname AS username,
       CASE WHEN rolvaliduntil < now() THEN 'EXPIRED' ELSE 'EXPIRING' END AS account_status,
       CAST(rolvaliduntil AS timestamp) AS expiry_date,
       CAST(NULL AS timestamp) AS lock_date
FROM pg_catalog.pg_roles
WHERE rolcanlogin
  AND rolvaliduntil IS NOT NULL
  AND rolvaliduntil < now() + make_interval(days => %(expiry_days)s)
ORDER BY rolname
