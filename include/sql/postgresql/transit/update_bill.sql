-- Apply one answer of finance to a ledger bill (model.Change).
UPDATE ebops.transit_bill
SET state = %(state)s,
    claim_id = NULL,
    rejections = rejections + %(rejected)s,
    checked_at = CASE WHEN %(checked)s = 1 THEN %(now)s ELSE checked_at END,
    last_attempt_at = %(now)s,
    last_result = %(result_code)s,
    last_message = %(message)s,
    upload_time = COALESCE(upload_time, %(upload_time)s),
    supervise_time = COALESCE(supervise_time, %(supervise_time)s),
    archive_time = COALESCE(archive_time, %(archive_time)s),
    changed_at = CASE WHEN %(times_changed)s = 1 THEN %(now)s ELSE changed_at END,
    resolved_at = CASE WHEN %(resolved)s = 1 THEN COALESCE(resolved_at, %(now)s) ELSE resolved_at END
WHERE bill_id = %(bill_id)s
