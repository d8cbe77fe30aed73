INSERT INTO ebops.interface_health (interface, slot_start, slot_end, calls, failures, success_rate, mean_ms, p95_ms,
    max_ms, error_codes, window_calls, window_failures, conn_failures, top_place_code, top_place_failures, due, late,
    delay_mean_s, delay_p95_s, status, cause, severity, detail, computed_at)
VALUES (%(interface)s, %(slot_start)s, %(slot_end)s, %(calls)s, %(failures)s, %(success_rate)s, %(mean_ms)s,
    %(p95_ms)s, %(max_ms)s, %(error_codes)s, %(window_calls)s, %(window_failures)s, %(conn_failures)s,
    %(top_place_code)s, %(top_place_failures)s, %(due)s, %(late)s, %(delay_mean_s)s, %(delay_p95_s)s, %(status)s,
    %(cause)s, %(severity)s, %(detail)s, %(computed_at)s)
