-- Bills issued per local day in a window (the report's trend chart).
SELECT TRUNC(ivc_date_time) AS day, COUNT(*) AS bills
FROM bill
WHERE ivc_date_time >= :window_start
  AND ivc_date_time < :window_end
GROUP BY TRUNC(ivc_date_time)
ORDER BY day
