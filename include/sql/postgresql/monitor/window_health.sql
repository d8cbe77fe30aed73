-- The monitor's rows of a window, in time order (what the alert task reads back).
SELECT interface, slot_start, slot_end, calls, failures, success_rate, mean_ms, p95_ms, max_ms, error_codes,
       window_calls, window_failures, conn_failures, top_place_code, top_place_failures, due, late,
       delay_mean_s, delay_p95_s, status, cause, severity, detail
FROM ebops.interface_health
WHERE slot_start >= %(range_start)s AND slot_start < %(range_end)s
ORDER BY slot_start, interface
