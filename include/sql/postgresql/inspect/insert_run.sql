INSERT INTO ebops.inspection_run (check_date, window_start, window_end, finished_at, worst_severity, ok_count,
    warning_count, critical_count, report_url, fingerprint, mailed_at)
VALUES (%(check_date)s, %(window_start)s, %(window_end)s, %(finished_at)s, %(worst_severity)s, %(ok_count)s,
    %(warning_count)s, %(critical_count)s, %(report_url)s, %(fingerprint)s, %(mailed_at)s)
