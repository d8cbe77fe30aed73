DELETE FROM ebops.perf_sql_snapshot WHERE week_start = %(week_start)s AND source = %(source)s
