-- Calls and failures per interface of the issuing path in a window, with the commonest error code.
SELECT interface,
       COUNT(*) AS calls,
       SUM(CASE WHEN success = 1 THEN 0 ELSE 1 END) AS failures,
       STATS_MODE(CASE WHEN success = 1 THEN NULL ELSE result_code END) AS top_error
FROM interface_call_log
WHERE call_time >= :window_start
  AND call_time < :window_end
GROUP BY interface
ORDER BY interface
