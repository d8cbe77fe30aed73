-- Layout files older than the cutoff and not yet archived, per month (the archiving plan).
SELECT CAST(date_trunc('month', ivc_date) AS date) AS period_start,
       count(*) AS files,
       sum(size_bytes) AS bytes
FROM ebill.layout_file
WHERE ivc_date < %(before)s
  AND archive_path IS NULL
GROUP BY 1
ORDER BY 1
