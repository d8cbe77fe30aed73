-- Calls per interface and service over [window_start, window_end): count, failures, and the
-- latency of the successful calls (failures are the interface monitor's business).
SELECT interface, service_name,
       COUNT(*) AS calls,
       SUM(CASE WHEN success = 1 THEN 0 ELSE 1 END) AS failures,
       AVG(CASE WHEN success = 1 THEN duration_ms END) AS mean_ms,
       PERCENTILE_CONT(0.95) WITHIN GROUP (ORDER BY CASE WHEN success = 1 THEN duration_ms END) AS p95_ms,
       MAX(CASE WHEN success = 1 THEN duration_ms END) AS max_ms
FROM interface_call_log
WHERE call_time >= :window_start AND call_time < :window_end
GROUP BY interface, service_name
ORDER BY interface, service_name
