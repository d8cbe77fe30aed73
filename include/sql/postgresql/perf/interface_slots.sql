-- Successful calls per interface and slot of [window_start, window_end): count and latency.
-- slot_no numbers the slots of slot_seconds from window_start (0, 1, ...).
SELECT interface,
       CAST(floor(extract(epoch FROM (call_time - CAST(%(window_start)s AS timestamp)))
                  / CAST(%(slot_seconds)s AS integer)) AS integer) AS slot_no,
       count(*) AS calls,
       percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95_ms,
       max(duration_ms) AS max_ms
FROM ebill.interface_call_log
WHERE call_time >= %(window_start)s AND call_time < %(window_end)s AND success
GROUP BY 1, 2
ORDER BY 1, 2
