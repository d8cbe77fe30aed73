-- Successful calls per interface and slot of [window_start, window_end): count and latency.
-- slot_no numbers the slots of slot_seconds from window_start (0, 1, ...).
SELECT interface,
       FLOOR((CAST(call_time AS DATE) - CAST(:window_start AS DATE)) * 86400 / :slot_seconds) AS slot_no,
       COUNT(*) AS calls,
       PERCENTILE_CONT(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95_ms,
       MAX(duration_ms) AS max_ms
FROM interface_call_log
WHERE call_time >= :window_start AND call_time < :window_end AND success = 1
GROUP BY interface, FLOOR((CAST(call_time AS DATE) - CAST(:window_start AS DATE)) * 86400 / :slot_seconds)
ORDER BY 1, 2
