-- sandbox: db=bill role=ebill_ro
-- PostgreSQL has no password profiles: the same three limits as Oracle's DBA_PROFILES, read from
-- the settings that provide them where they exist (openGauss GUCs, the credcheck extension,
-- passwordcheck loaded); absent settings read as UNLIMITED / NULL. One cluster-wide "profile".
SELECT 'CLUSTER' AS profile, 'PASSWORD_LIFE_TIME' AS resource_name,
       coalesce(nullif(current_setting('password_effect_time', true), ''),
                nullif(current_setting('credcheck.password_valid_max', true), ''),
                'UNLIMITED') AS limit_value
UNION ALL
SELECT 'CLUSTER', 'FAILED_LOGIN_ATTEMPTS',
       coalesce(nullif(current_setting('failed_login_attempts', true), ''),
                nullif(current_setting('credcheck.max_auth_failure', true), ''),
                'UNLIMITED')
UNION ALL
SELECT 'CLUSTER', 'PASSWORD_VERIFY_FUNCTION',
       CASE WHEN current_setting('shared_preload_libraries') ~ '(passwordcheck|credcheck)'
                 THEN substring(current_setting('shared_preload_libraries') from '(passwordcheck|credcheck)')
            WHEN current_setting('password_policy', true) = '1' THEN 'password_policy'
            ELSE 'NULL' END
