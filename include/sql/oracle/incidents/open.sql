-- A new incident, or a closed one that came back.
MERGE INTO alert_incident t
USING (SELECT :alert_key AS alert_key FROM dual) s
ON (t.alert_key = s.alert_key)
WHEN MATCHED THEN UPDATE SET t.state = 'open', t.severity = :severity, t.summary = :summary, t.opened_at = :now,
    t.last_seen_at = :now, t.last_notified_at = :now, t.closed_at = NULL, t.notify_count = t.notify_count + 1
WHEN NOT MATCHED THEN INSERT (alert_key, state, severity, summary, opened_at, last_seen_at, last_notified_at,
    notify_count)
    VALUES (:alert_key, 'open', :severity, :summary, :now, :now, :now, 1)
