INSERT INTO interface_health (interface, slot_start, slot_end, calls, failures, success_rate, mean_ms, p95_ms,
    max_ms, error_codes, window_calls, window_failures, conn_failures, top_place_code, top_place_failures, due, late,
    delay_mean_s, delay_p95_s, status, cause, severity, detail, computed_at)
VALUES (:interface, :slot_start, :slot_end, :calls, :failures, :success_rate, :mean_ms,
    :p95_ms, :max_ms, :error_codes, :window_calls, :window_failures, :conn_failures,
    :top_place_code, :top_place_failures, :due, :late, :delay_mean_s, :delay_p95_s, :status,
    :cause, :severity, :detail, :computed_at)
