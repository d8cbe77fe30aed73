-- Delivery timeliness per slot of the delivery deadline (see the PostgreSQL file). bill times are
-- DATEs (whole seconds): the day fraction is rounded back to whole seconds before the slot is
-- counted (1/96 day x 86400 may otherwise floor to 899), and the slot is named in an inline view
-- so that GROUP BY lists a column, not an expression with bind variables (ORA-00979).
SELECT slot_no,
       COUNT(*) AS due,
       SUM(late) AS late,
       AVG(delay_s) AS delay_mean_s,
       PERCENTILE_CONT(0.95) WITHIN GROUP (ORDER BY delay_s) AS delay_p95_s
FROM (
    SELECT FLOOR(ROUND((ivc_date_time - CAST(:due_start AS DATE)) * 86400) / :slot_seconds) AS slot_no,
           CASE WHEN deliver_time IS NULL
                  OR deliver_time > ivc_date_time + NUMTODSINTERVAL(:late_after_seconds, 'SECOND')
                THEN 1 ELSE 0 END AS late,
           ROUND((deliver_time - ivc_date_time) * 86400) AS delay_s
    FROM bill
    WHERE ivc_date_time >= :due_start AND ivc_date_time < :due_end
      AND data_type = 1 AND direction = 1
) slotted
GROUP BY slot_no
