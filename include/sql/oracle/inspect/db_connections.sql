-- Sessions and processes against their limits (ORA-00018 / ORA-00020 when they run out).
SELECT resource_name,
       current_utilization AS used,
       CASE WHEN TRIM(limit_value) = 'UNLIMITED' THEN NULL ELSE TO_NUMBER(TRIM(limit_value)) END AS limit_value
FROM v$resource_limit
WHERE resource_name IN ('sessions', 'processes')
