DELETE FROM interface_health WHERE slot_start >= :range_start AND slot_start < :range_end
