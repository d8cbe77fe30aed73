-- sandbox: db=bill role=ebill_ro
-- Login roles with status, expiry and powerful attributes. pg_roles is readable by every role
-- (its password column is always masked). VALID UNTIL 'infinity' reads as no expiry.
SELECT r.rolname AS username,
       CASE WHEN r.rolvaliduntil IS NOT NULL AND r.rolvaliduntil < now() THEN 'EXPIRED' ELSE 'OPEN' END
           AS account_status,
       1 AS can_login,
       concat_ws(',',
                 CASE WHEN r.rolsuper THEN 'SUPERUSER' END,
                 CASE WHEN r.rolcreaterole THEN 'CREATEROLE' END,
                 CASE WHEN r.rolreplication THEN 'REPLICATION' END,
                 CASE WHEN r.rolbypassrls THEN 'BYPASSRLS' END) AS admin_roles,
       concat_ws(',',
                 CASE WHEN NOT r.rolsuper AND pg_has_role(r.oid, 'pg_execute_server_program', 'MEMBER')
                      THEN 'pg_execute_server_program' END,
                 CASE WHEN NOT r.rolsuper AND pg_has_role(r.oid, 'pg_write_server_files', 'MEMBER')
                      THEN 'pg_write_server_files' END,
                 CASE WHEN NOT r.rolsuper AND pg_has_role(r.oid, 'pg_read_server_files', 'MEMBER')
                      THEN 'pg_read_server_files' END) AS admin_privileges,
       CASE WHEN isfinite(r.rolvaliduntil) THEN CAST(r.rolvaliduntil AS timestamp) END AS expiry_date,
       CAST(NULL AS timestamp) AS lock_date,
       CAST(NULL AS text) AS profile,
       CAST(NULL AS text) AS password_versions,
       'PASSWORD' AS authentication_type,
       0 AS system_account
FROM pg_catalog.pg_roles r
WHERE r.rolcanlogin
ORDER BY r.rolname
