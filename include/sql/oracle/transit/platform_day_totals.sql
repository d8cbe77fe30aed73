-- What the platform believes finance holds, per issue date (see the PostgreSQL file).
SELECT TRUNC(ivc_date_time) AS ivc_date,
       SUM(CASE WHEN supervise_time IS NOT NULL THEN 1 ELSE 0 END) AS platform_count,
       COALESCE(SUM(CASE WHEN supervise_time IS NOT NULL THEN direction * total_amt ELSE 0 END), 0) AS platform_amount,
       SUM(CASE WHEN supervise_time IS NOT NULL AND archive_time IS NOT NULL THEN 1 ELSE 0 END) AS platform_archived,
       SUM(CASE WHEN sign_time IS NOT NULL AND (supervise_time IS NULL OR archive_time IS NULL) THEN 1 ELSE 0 END)
           AS in_transit
FROM bill
WHERE ivc_date_time >= :day_start AND ivc_date_time < :day_end
  AND data_type <> 5
GROUP BY TRUNC(ivc_date_time)
ORDER BY 1
