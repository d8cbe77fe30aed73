-- The people's part of the days' differences, carried over by a re-run.
SELECT biz_date, diff_class, diff_key, status, status_by, status_at, status_reason, first_seen_at
FROM ebops.recon_difference
WHERE biz_date >= %(first_day)s
  AND biz_date < %(end_day)s
