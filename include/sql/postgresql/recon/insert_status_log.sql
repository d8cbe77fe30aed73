INSERT INTO ebops.recon_status_log (biz_date, diff_class, diff_key, old_status, new_status, changed_by,
    changed_at, reason)
VALUES (%(biz_date)s, %(diff_class)s, %(diff_key)s, %(old_status)s, %(status)s, %(changed_by)s,
    %(changed_at)s, %(reason)s)
