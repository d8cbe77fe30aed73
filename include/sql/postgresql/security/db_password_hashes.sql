-- sandbox: db=bill role=ebill_owner
-- Login roles' stored password verifiers, for the offline weak-password test (in memory only:
-- never logged, stored or reported). NULL = no password. Readable by superusers, or by a role
-- granted SELECT on pg_shadow; otherwise the audit reports it as not readable.
SELECT s.usename AS username, s.passwd AS password_hash
FROM pg_catalog.pg_shadow s
ORDER BY s.usename
