-- Layout files older than the cutoff and not yet archived, per month (the archiving plan).
SELECT TRUNC(ivc_date, 'MM') AS period_start,
       COUNT(*) AS files,
       SUM(size_bytes) AS bytes
FROM layout_file
WHERE ivc_date < :before
  AND archive_path IS NULL
GROUP BY TRUNC(ivc_date, 'MM')
ORDER BY 1
