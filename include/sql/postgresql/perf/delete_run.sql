DELETE FROM ebops.perf_run WHERE week_start = %(week_start)s
