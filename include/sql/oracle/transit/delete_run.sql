DELETE FROM transit_run WHERE window_start = :window_start AND window_end = :window_end
