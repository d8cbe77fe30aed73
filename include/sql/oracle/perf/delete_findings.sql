DELETE FROM perf_finding WHERE week_start = :week_start AND source = :source
