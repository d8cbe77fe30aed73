-- Bills issued (blue and red, every data type) in a window: the day's volume and its norm.
SELECT count(*) AS bills
FROM ebill.bill
WHERE ivc_date_time >= %(window_start)s
  AND ivc_date_time < %(window_end)s
