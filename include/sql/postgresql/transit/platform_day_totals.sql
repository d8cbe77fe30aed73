-- What the platform believes finance holds, per issue date: supervised count, amount (blue minus
-- red by the direction flag), archived count; and what is still in transit.
SELECT CAST(ivc_date_time AS date) AS ivc_date,
       SUM(CASE WHEN supervise_time IS NOT NULL THEN 1 ELSE 0 END) AS platform_count,
       COALESCE(SUM(CASE WHEN supervise_time IS NOT NULL THEN direction * total_amt ELSE 0 END), 0) AS platform_amount,
       SUM(CASE WHEN supervise_time IS NOT NULL AND archive_time IS NOT NULL THEN 1 ELSE 0 END) AS platform_archived,
       SUM(CASE WHEN sign_time IS NOT NULL AND (supervise_time IS NULL OR archive_time IS NULL) THEN 1 ELSE 0 END)
           AS in_transit
FROM ebill.bill
WHERE ivc_date_time >= %(day_start)s AND ivc_date_time < %(day_end)s
  AND data_type <> 5
GROUP BY CAST(ivc_date_time AS date)
ORDER BY 1
