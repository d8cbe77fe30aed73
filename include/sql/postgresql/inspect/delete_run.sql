DELETE FROM ebops.inspection_run WHERE check_date = %(check_date)s
