SELECT alert_key, state, severity, summary, opened_at, last_seen_at, last_notified_at, notify_count
FROM alert_incident
WHERE alert_key = :alert_key
