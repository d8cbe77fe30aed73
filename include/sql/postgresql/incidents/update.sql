UPDATE ebops.alert_incident
SET severity = %(severity)s, summary = %(summary)s, last_seen_at = %(now)s,
    last_notified_at = CASE WHEN %(notified)s = 1 THEN %(now)s ELSE last_notified_at END,
    notify_count = notify_count + CASE WHEN %(notified)s = 1 THEN 1 ELSE 0 END
WHERE alert_key = %(alert_key)s
