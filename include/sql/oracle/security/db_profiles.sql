-- Password limits of the profiles open, non-Oracle-maintained accounts use; DEFAULT values are
-- resolved from the DEFAULT profile.
SELECT p.profile,
       p.resource_name,
       CASE WHEN p."LIMIT" = 'DEFAULT' THEN d."LIMIT" ELSE p."LIMIT" END AS limit_value
FROM dba_profiles p
JOIN dba_profiles d ON d.profile = 'DEFAULT' AND d.resource_name = p.resource_name
WHERE p.resource_type = 'PASSWORD'
  AND p.resource_name IN ('PASSWORD_LIFE_TIME', 'FAILED_LOGIN_ATTEMPTS', 'PASSWORD_VERIFY_FUNCTION')
  AND p.profile IN (SELECT u.profile FROM dba_users u
                    WHERE u.oracle_maintained = 'N' AND u.account_status NOT LIKE '%LOCKED%')
ORDER BY p.profile, p.resource_name
