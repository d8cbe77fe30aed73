UPDATE alert_incident
SET severity = :severity, summary = :summary, last_seen_at = :now,
    last_notified_at = CASE WHEN :notified = 1 THEN :now ELSE last_notified_at END,
    notify_count = notify_count + CASE WHEN :notified = 1 THEN 1 ELSE 0 END
WHERE alert_key = :alert_key
