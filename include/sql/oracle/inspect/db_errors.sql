-- Alert-log errors since the last inspection (V$DIAG_ALERT_EXT, bound by time: it is slow
-- unbounded). Grouped by message so one repeated error is one finding.
SELECT SUBSTR(message_text, 1, 200) AS message,
       COUNT(*) AS error_count,
       MAX(originating_timestamp) AS last_seen,
       0 AS cumulative
FROM v$diag_alert_ext
WHERE originating_timestamp >= :since
  AND (message_text LIKE '%ORA-%' OR message_text LIKE '%TNS-%' OR message_level = 1)
GROUP BY SUBSTR(message_text, 1, 200)
ORDER BY error_count DESC
FETCH FIRST 50 ROWS ONLY
