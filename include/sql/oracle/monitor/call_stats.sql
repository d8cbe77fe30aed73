-- Calls per interface and slot of [range_start, range_end) (see the PostgreSQL file).
-- The slot is named in an inline view so that GROUP BY lists a column, not an expression with bind
-- variables (which Oracle may refuse with ORA-00979), and is counted from the exact TIMESTAMP
-- interval: DATE differences are fractions of a day, and 1/96 day x 86400 may floor to 899 seconds.
SELECT interface, slot_no,
       COUNT(*) AS calls,
       SUM(CASE WHEN success = 1 THEN 0 ELSE 1 END) AS failures,
       AVG(duration_ms) AS mean_ms,
       PERCENTILE_CONT(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95_ms,
       MAX(duration_ms) AS max_ms
FROM (
    SELECT interface, success, duration_ms,
           FLOOR((EXTRACT(DAY FROM gap) * 86400 + EXTRACT(HOUR FROM gap) * 3600
                  + EXTRACT(MINUTE FROM gap) * 60 + EXTRACT(SECOND FROM gap)) / :slot_seconds) AS slot_no
    FROM (
        SELECT interface, success, duration_ms, call_time - CAST(:range_start AS TIMESTAMP) AS gap
        FROM interface_call_log
        WHERE call_time >= :range_start AND call_time < :range_end
    ) calls
) slotted
GROUP BY interface, slot_no
