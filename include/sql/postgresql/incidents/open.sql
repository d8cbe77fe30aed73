-- A new incident, or a closed one that came back.
INSERT INTO ebops.alert_incident (alert_key, state, severity, summary, opened_at, last_seen_at, last_notified_at,
    closed_at, notify_count)
VALUES (%(alert_key)s, 'open', %(severity)s, %(summary)s, %(now)s, %(now)s, %(now)s, NULL, 1)
ON CONFLICT (alert_key) DO UPDATE SET state = 'open', severity = EXCLUDED.severity, summary = EXCLUDED.summary,
    opened_at = EXCLUDED.opened_at, last_seen_at = EXCLUDED.last_seen_at,
    last_notified_at = EXCLUDED.last_notified_at, closed_at = NULL,
    notify_count = ebops.alert_incident.notify_count + 1
