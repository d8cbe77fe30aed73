-- A person's decision about one difference (the package never voids or reverses a bill itself).
UPDATE ebops.recon_difference
SET status = %(status)s, status_by = %(changed_by)s, status_at = %(changed_at)s, status_reason = %(reason)s
WHERE biz_date = %(biz_date)s
  AND diff_class = %(diff_class)s
  AND diff_key = %(diff_key)s
