-- Calls per interface, slot, issuing point and result (see the PostgreSQL file). The slot is
-- computed in an inline view from the exact TIMESTAMP interval, as in call_stats.sql.
SELECT interface, slot_no, place_code, result_code, ok, COUNT(*) AS calls
FROM (
    SELECT interface, place_code, result_code,
           CASE WHEN success = 1 THEN 1 ELSE 0 END AS ok,
           FLOOR((EXTRACT(DAY FROM gap) * 86400 + EXTRACT(HOUR FROM gap) * 3600
                  + EXTRACT(MINUTE FROM gap) * 60 + EXTRACT(SECOND FROM gap)) / :slot_seconds) AS slot_no
    FROM (
        SELECT interface, place_code, result_code, success, call_time - CAST(:range_start AS TIMESTAMP) AS gap
        FROM interface_call_log
        WHERE call_time >= :range_start AND call_time < :range_end
    ) calls
) slotted
GROUP BY interface, slot_no, place_code, result_code, ok
