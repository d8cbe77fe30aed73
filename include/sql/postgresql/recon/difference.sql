SELECT biz_date, diff_class, diff_key, status, status_by, status_at, status_reason
FROM ebops.recon_difference
WHERE biz_date = %(biz_date)s
  AND diff_class = %(diff_class)s
  AND diff_key = %(diff_key)s
