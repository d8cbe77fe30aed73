DELETE FROM perf_sql_snapshot WHERE week_start = :week_start AND source = :source
