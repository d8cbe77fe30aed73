SELECT week_start, week_end, finished_at, worst_severity, warning_count, critical_count, report_url,
       fingerprint, mailed_at
FROM ebops.perf_run
WHERE week_start = %(week_start)s
