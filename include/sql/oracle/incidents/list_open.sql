-- Open incidents whose key starts with a prefix (e.g. all of one DAG's failures); no LIKE: keys hold "_".
SELECT alert_key, state, severity, summary, opened_at, last_seen_at, last_notified_at, notify_count
FROM alert_incident
WHERE state = 'open'
  AND SUBSTR(alert_key, 1, LENGTH(:prefix)) = :prefix
ORDER BY alert_key
