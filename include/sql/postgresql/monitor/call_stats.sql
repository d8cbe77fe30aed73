-- Calls per interface and slot of [range_start, range_end): count, failures, latency.
-- slot_no numbers the slots of slot_seconds from range_start (0, 1, ...).
SELECT interface,
       CAST(floor(extract(epoch FROM (call_time - CAST(%(range_start)s AS timestamp)))
                  / CAST(%(slot_seconds)s AS integer)) AS integer) AS slot_no,
       count(*) AS calls,
       sum(CASE WHEN success THEN 0 ELSE 1 END) AS failures,
       avg(duration_ms) AS mean_ms,
       percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95_ms,
       max(duration_ms) AS max_ms
FROM ebill.interface_call_log
WHERE call_time >= %(range_start)s AND call_time < %(range_end)s
GROUP BY 1, 2
