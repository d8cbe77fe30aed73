-- A person's decision about one difference (the package never voids or reverses a bill itself).
UPDATE recon_difference
SET status = :status, status_by = :changed_by, status_at = :changed_at, status_reason = :reason
WHERE biz_date = :biz_date
  AND diff_class = :diff_class
  AND diff_key = :diff_key
