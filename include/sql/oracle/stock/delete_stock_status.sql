DELETE FROM stock_status WHERE check_date = :check_date
