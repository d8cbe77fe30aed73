-- Oracle keeps its password verifiers in SYS.USER$, which an audit account must not read:
-- DBA_USERS_WITH_DEFPWD (security/db_default_passwords) and PASSWORD_VERSIONS
-- (security/db_accounts) answer the question there. Returns no rows.
SELECT CAST(NULL AS VARCHAR2(128)) AS username, CAST(NULL AS VARCHAR2(4000)) AS password_hash
FROM dual
WHERE 1 = 0
