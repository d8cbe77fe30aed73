-- Data Guard lag as the standby reports it (empty on a primary without a standby view).
SELECT name AS standby,
       name AS metric,
       EXTRACT(DAY FROM TO_DSINTERVAL(value)) * 86400
         + EXTRACT(HOUR FROM TO_DSINTERVAL(value)) * 3600
         + EXTRACT(MINUTE FROM TO_DSINTERVAL(value)) * 60
         + EXTRACT(SECOND FROM TO_DSINTERVAL(value)) AS lag_seconds,
       'unknown' AS state
FROM v$dataguard_stats
WHERE name IN ('apply lag', 'transport lag')
  AND value IS NOT NULL
