-- What the platform issued per issue day, as the finance platform counts it (Oracle).
SELECT TRUNC(ivc_date_time) AS ivc_date,
       COUNT(*) AS n,
       NVL(SUM(direction * total_amt), 0) AS amount,
       COUNT(supervise_time) AS supervised,
       COUNT(archive_time) AS archived,
       SUM(CASE WHEN direction = 1 THEN 1 ELSE 0 END) AS blue,
       SUM(CASE WHEN direction = -1 THEN 1 ELSE 0 END) AS red
FROM bill
WHERE ivc_date_time >= :window_start
  AND ivc_date_time < :window_end
  AND data_type <> 5
GROUP BY TRUNC(ivc_date_time)
ORDER BY 1
