-- Application accounts that are locked, expired, or expire within :expiry_days.
SELECT username, account_status, expiry_date, lock_date
FROM dba_users
WHERE oracle_maintained = 'N'
  AND (account_status <> 'OPEN' OR expiry_date < SYSDATE + :expiry_days)
ORDER BY username
