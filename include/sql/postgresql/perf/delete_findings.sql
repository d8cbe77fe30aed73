DELETE FROM ebops.perf_finding WHERE week_start = %(week_start)s AND source = %(source)s
