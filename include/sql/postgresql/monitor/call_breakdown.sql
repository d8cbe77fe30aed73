-- Calls per interface, slot, issuing point and result: which point fails, with which codes.
SELECT interface,
       CAST(floor(extract(epoch FROM (call_time - CAST(%(range_start)s AS timestamp)))
                  / CAST(%(slot_seconds)s AS integer)) AS integer) AS slot_no,
       place_code,
       result_code,
       CASE WHEN success THEN 1 ELSE 0 END AS ok,
       count(*) AS calls
FROM ebill.interface_call_log
WHERE call_time >= %(range_start)s AND call_time < %(range_end)s
GROUP BY 1, 2, 3, 4, 5
