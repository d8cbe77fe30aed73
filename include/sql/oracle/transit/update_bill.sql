-- Apply one answer of finance to a ledger bill (model.Change).
UPDATE transit_bill
SET state = :state,
    claim_id = NULL,
    rejections = rejections + :rejected,
    checked_at = CASE WHEN :checked = 1 THEN :now ELSE checked_at END,
    last_attempt_at = :now,
    last_result = :result_code,
    last_message = :message,
    upload_time = COALESCE(upload_time, :upload_time),
    supervise_time = COALESCE(supervise_time, :supervise_time),
    archive_time = COALESCE(archive_time, :archive_time),
    changed_at = CASE WHEN :times_changed = 1 THEN :now ELSE changed_at END,
    resolved_at = CASE WHEN :resolved = 1 THEN COALESCE(resolved_at, :now) ELSE resolved_at END
WHERE bill_id = :bill_id
