-- Successful calls per interface and slot of [window_start, window_end): count and latency.
-- slot_no numbers the slots of slot_seconds from window_start (0, 1, ...). The slot is named in
-- an inline view so that GROUP BY lists a column, not an expression with bind variables (which
-- Oracle may refuse with ORA-00979), and is counted from the exact TIMESTAMP interval: DATE
-- differences are fractions of a day, and 1/96 day x 86400 may floor to 899 seconds.
SELECT interface, slot_no,
       COUNT(*) AS calls,
       PERCENTILE_CONT(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95_ms,
       MAX(duration_ms) AS max_ms
FROM (
    SELECT interface, duration_ms,
           FLOOR((EXTRACT(DAY FROM gap) * 86400 + EXTRACT(HOUR FROM gap) * 3600
                  + EXTRACT(MINUTE FROM gap) * 60 + EXTRACT(SECOND FROM gap)) / :slot_seconds) AS slot_no
    FROM (
        SELECT interface, duration_ms, call_time - CAST(:window_start AS TIMESTAMP) AS gap
        FROM interface_call_log
        WHERE call_time >= :window_start AND call_time < :window_end AND success = 1
    ) calls
) slotted
GROUP BY interface, slot_no
ORDER BY interface, slot_no
