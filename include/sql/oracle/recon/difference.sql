SELECT biz_date, diff_class, diff_key, status, status_by, status_at, status_reason
FROM recon_difference
WHERE biz_date = :biz_date
  AND diff_class = :diff_class
  AND diff_key = :diff_key
