-- Calls and failures per interface of the issuing path in a window, with the commonest error code.
SELECT interface,
       count(*) AS calls,
       count(*) FILTER (WHERE NOT success) AS failures,
       mode() WITHIN GROUP (ORDER BY result_code) FILTER (WHERE NOT success) AS top_error
FROM ebill.interface_call_log
WHERE call_time >= %(window_start)s
  AND call_time < %(window_end)s
GROUP BY interface
ORDER BY interface
