-- In transit (在途): signed bills not yet supervised (监制) past the supervision lag, and supervised
-- bills not yet archived (归档) past the archive lag; counted with the oldest issue time.
SELECT 'before_supervision' AS kind, COUNT(*) AS bills, MIN(ivc_date_time) AS oldest
FROM bill
WHERE ivc_date_time >= :lookback_start
  AND sign_time IS NOT NULL
  AND supervise_time IS NULL
  AND sign_time < :supervise_before
UNION ALL
SELECT 'before_archive' AS kind, COUNT(*) AS bills, MIN(ivc_date_time) AS oldest
FROM bill
WHERE ivc_date_time >= :lookback_start
  AND supervise_time IS NOT NULL
  AND archive_time IS NULL
  AND supervise_time < :archive_before
