DELETE FROM ebops.stock_status WHERE check_date = %(check_date)s
