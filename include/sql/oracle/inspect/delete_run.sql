DELETE FROM inspection_run WHERE check_date = :check_date
