SELECT check_date, window_start, window_end, finished_at, worst_severity, ok_count, warning_count,
       critical_count, report_url, fingerprint, mailed_at
FROM ebops.inspection_run
WHERE check_date = %(check_date)s
