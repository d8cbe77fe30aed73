DELETE FROM ebops.interface_health WHERE slot_start >= %(range_start)s AND slot_start < %(range_end)s
