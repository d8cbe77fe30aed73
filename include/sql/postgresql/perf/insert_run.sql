INSERT INTO ebops.perf_run (week_start, week_end, finished_at, worst_severity, warning_count, critical_count,
    report_url, fingerprint, mailed_at)
VALUES (%(week_start)s, %(week_end)s, %(finished_at)s, %(worst_severity)s, %(warning_count)s, %(critical_count)s,
    %(report_url)s, %(fingerprint)s, %(mailed_at)s)
