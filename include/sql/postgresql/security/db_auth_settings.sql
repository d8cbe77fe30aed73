-- sandbox: db=bill role=ebill_ro
-- How new passwords are stored (md5 is weak); openGauss names it password_encryption_type.
SELECT s.name, s.setting
FROM pg_catalog.pg_settings s
WHERE s.name IN ('password_encryption', 'password_encryption_type')
ORDER BY s.name
