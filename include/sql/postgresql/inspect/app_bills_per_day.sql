-- Bills issued per local day in a window (the report's trend chart).
SELECT CAST(date_trunc('day', ivc_date_time) AS date) AS day, count(*) AS bills
FROM ebill.bill
WHERE ivc_date_time >= %(window_start)s
  AND ivc_date_time < %(window_end)s
GROUP BY 1
ORDER BY 1
