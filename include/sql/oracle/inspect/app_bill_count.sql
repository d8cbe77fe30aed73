-- Bills issued (blue and red, every data type) in a window: the day's volume and its norm.
SELECT COUNT(*) AS bills
FROM bill
WHERE ivc_date_time >= :window_start
  AND ivc_date_time < :window_end
