-- Instance parameters that weaken authentication (remote OS authentication, case-insensitive
-- passwords). Parameters a release no longer has are simply absent.
SELECT p.name, p.value AS setting
FROM v$parameter p
WHERE p.name IN ('remote_os_authent', 'sec_case_sensitive_logon')
ORDER BY p.name
