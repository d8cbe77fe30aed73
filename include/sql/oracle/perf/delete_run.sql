DELETE FROM perf_run WHERE week_start = :week_start
