INSERT INTO recon_status_log (biz_date, diff_class, diff_key, old_status, new_status, changed_by,
    changed_at, reason)
VALUES (:biz_date, :diff_class, :diff_key, :old_status, :status, :changed_by,
    :changed_at, :reason)
