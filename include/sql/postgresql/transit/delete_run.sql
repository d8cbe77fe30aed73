DELETE FROM ebops.transit_run WHERE window_start = %(window_start)s AND window_end = %(window_end)s
