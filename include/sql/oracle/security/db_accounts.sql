-- Database accounts with status, expiry, profile, password verifier versions and powerful grants
-- (DBA and full import/export roles, user and privilege administration). SELECT_CATALOG_ROLE.
SELECT u.username,
       u.account_status,
       CASE WHEN u.authentication_type = 'NONE' THEN 0 ELSE 1 END AS can_login,
       (SELECT LISTAGG(r.granted_role, ',') WITHIN GROUP (ORDER BY r.granted_role)
          FROM dba_role_privs r
         WHERE r.grantee = u.username
           AND r.granted_role IN ('DBA', 'IMP_FULL_DATABASE', 'DATAPUMP_IMP_FULL_DATABASE')) AS admin_roles,
       (SELECT LISTAGG(p.privilege, ',') WITHIN GROUP (ORDER BY p.privilege)
          FROM dba_sys_privs p
         WHERE p.grantee = u.username
           AND p.privilege IN ('ALTER USER', 'CREATE USER', 'DROP USER', 'GRANT ANY PRIVILEGE',
                               'GRANT ANY ROLE', 'ALTER SYSTEM', 'BECOME USER')) AS admin_privileges,
       u.expiry_date,
       u.lock_date,
       u.profile,
       u.password_versions,
       u.authentication_type,
       CASE WHEN u.oracle_maintained = 'Y' THEN 1 ELSE 0 END AS system_account
FROM dba_users u
ORDER BY u.username
