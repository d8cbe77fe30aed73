-- sandbox: db=bill role=ebill_owner
-- The client-authentication rules in force (trust = no password, password = clear text).
-- Superuser only by default: a site grants SELECT on the view and EXECUTE on its function to
-- the audit role (docs/security-audit.md); otherwise the audit reports it as not readable.
SELECT h.line_number, h.type AS conn_type, array_to_string(h.database, ',') AS databases,
       array_to_string(h.user_name, ',') AS users, h.address, h.auth_method, h.error
FROM pg_catalog.pg_hba_file_rules h
ORDER BY h.line_number
