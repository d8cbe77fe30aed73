-- Delivery timeliness per slot of the delivery deadline (see the PostgreSQL file).
SELECT FLOOR((ivc_date_time - CAST(:due_start AS DATE)) * 86400 / :slot_seconds) AS slot_no,
       COUNT(*) AS due,
       SUM(CASE WHEN deliver_time IS NULL OR deliver_time > ivc_date_time + :late_after_seconds / 86400
                THEN 1 ELSE 0 END) AS late,
       AVG((deliver_time - ivc_date_time) * 86400) AS delay_mean_s,
       PERCENTILE_CONT(0.95) WITHIN GROUP (ORDER BY (deliver_time - ivc_date_time) * 86400) AS delay_p95_s
FROM bill
WHERE ivc_date_time >= :due_start AND ivc_date_time < :due_end
  AND data_type = 1 AND direction = 1
GROUP BY FLOOR((ivc_date_time - CAST(:due_start AS DATE)) * 86400 / :slot_seconds)
