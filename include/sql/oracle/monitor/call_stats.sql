-- Calls per interface and slot of [range_start, range_end) (see the PostgreSQL file).
SELECT interface,
       FLOOR((CAST(call_time AS DATE) - CAST(:range_start AS DATE)) * 86400 / :slot_seconds) AS slot_no,
       COUNT(*) AS calls,
       SUM(CASE WHEN success = 1 THEN 0 ELSE 1 END) AS failures,
       AVG(duration_ms) AS mean_ms,
       PERCENTILE_CONT(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95_ms,
       MAX(duration_ms) AS max_ms
FROM interface_call_log
WHERE call_time >= :range_start AND call_time < :range_end
GROUP BY interface, FLOOR((CAST(call_time AS DATE) - CAST(:range_start AS DATE)) * 86400 / :slot_seconds)
