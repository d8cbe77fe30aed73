UPDATE alert_incident
SET state = 'closed', closed_at = :now, last_seen_at = :now, last_notified_at = :now,
    notify_count = notify_count + 1
WHERE alert_key = :alert_key
