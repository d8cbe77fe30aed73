-- Accounts that still have the password they shipped with (DBA_USERS_WITH_DEFPWD), with status:
-- an open one is critical, a locked one is not usable until somebody unlocks it.
SELECT d.username, u.account_status
FROM dba_users_with_defpwd d
JOIN dba_users u ON u.username = d.username
ORDER BY d.username
