INSERT INTO perf_run (week_start, week_end, finished_at, worst_severity, warning_count, critical_count,
    report_url, fingerprint, mailed_at)
VALUES (:week_start, :week_end, :finished_at, :worst_severity, :warning_count, :critical_count,
    :report_url, :fingerprint, :mailed_at)
