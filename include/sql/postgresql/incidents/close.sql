UPDATE ebops.alert_incident
SET state = 'closed', closed_at = %(now)s, last_seen_at = %(now)s, last_notified_at = %(now)s,
    notify_count = notify_count + 1
WHERE alert_key = %(alert_key)s
