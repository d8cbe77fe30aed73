-- Calls per interface, slot, issuing point and result (see the PostgreSQL file).
SELECT interface,
       FLOOR((CAST(call_time AS DATE) - CAST(:range_start AS DATE)) * 86400 / :slot_seconds) AS slot_no,
       place_code,
       result_code,
       CASE WHEN success = 1 THEN 1 ELSE 0 END AS ok,
       COUNT(*) AS calls
FROM interface_call_log
WHERE call_time >= :range_start AND call_time < :range_end
GROUP BY interface, FLOOR((CAST(call_time AS DATE) - CAST(:range_start AS DATE)) * 86400 / :slot_seconds),
         place_code, result_code, CASE WHEN success = 1 THEN 1 ELSE 0 END
