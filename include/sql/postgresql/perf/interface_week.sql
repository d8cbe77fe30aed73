-- Calls per interface and service over [window_start, window_end): count, failures, and the
-- latency of the successful calls (failures are the interface monitor's business).
SELECT interface, service_name,
       count(*) AS calls,
       sum(CASE WHEN success THEN 0 ELSE 1 END) AS failures,
       avg(CASE WHEN success THEN duration_ms END) AS mean_ms,
       percentile_cont(0.95) WITHIN GROUP (ORDER BY CASE WHEN success THEN duration_ms END) AS p95_ms,
       max(CASE WHEN success THEN duration_ms END) AS max_ms
FROM ebill.interface_call_log
WHERE call_time >= %(window_start)s AND call_time < %(window_end)s
GROUP BY interface, service_name
ORDER BY interface, service_name
