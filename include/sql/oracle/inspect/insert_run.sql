INSERT INTO inspection_run (check_date, window_start, window_end, finished_at, worst_severity, ok_count,
    warning_count, critical_count, report_url, fingerprint, mailed_at)
VALUES (:check_date, :window_start, :window_end, :finished_at, :worst_severity, :ok_count,
    :warning_count, :critical_count, :report_url, :fingerprint, :mailed_at)
