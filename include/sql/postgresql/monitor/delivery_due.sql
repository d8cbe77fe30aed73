-- Delivery timeliness: blue e-bills whose delivery deadline (issue time + late_after_seconds) falls
-- in each slot, how many were late (delivered after the deadline, or not at all), and the
-- issue-to-delivery time of those delivered. due_start / due_end are the range shifted back by
-- the deadline, so slot_no lines up with the call slots.
SELECT CAST(floor(extract(epoch FROM (ivc_date_time - CAST(%(due_start)s AS timestamp)))
                  / CAST(%(slot_seconds)s AS integer)) AS integer) AS slot_no,
       count(*) AS due,
       sum(CASE WHEN deliver_time IS NULL
                  OR deliver_time > ivc_date_time + make_interval(secs => %(late_after_seconds)s)
                THEN 1 ELSE 0 END) AS late,
       avg(extract(epoch FROM (deliver_time - ivc_date_time))) AS delay_mean_s,
       percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM (deliver_time - ivc_date_time)))
           AS delay_p95_s
FROM ebill.bill
WHERE ivc_date_time >= %(due_start)s AND ivc_date_time < %(due_end)s
  AND data_type = 1 AND direction = 1
GROUP BY 1
