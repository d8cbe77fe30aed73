-- What the platform issued per issue day, as the finance platform counts it (checkTotalData):
-- every bill but blank paper, amount blue minus red, and how many the platform saw supervised
-- and archived.
SELECT ivc_date_time::date AS ivc_date,
       count(*) AS n,
       coalesce(sum(direction * total_amt), 0) AS amount,
       count(supervise_time) AS supervised,
       count(archive_time) AS archived,
       sum(CASE WHEN direction = 1 THEN 1 ELSE 0 END) AS blue,
       sum(CASE WHEN direction = -1 THEN 1 ELSE 0 END) AS red
FROM ebill.bill
WHERE ivc_date_time >= %(window_start)s
  AND ivc_date_time < %(window_end)s
  AND data_type <> 5
GROUP BY ivc_date_time::date
ORDER BY 1
