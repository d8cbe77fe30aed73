INSERT INTO ebops.quality_failure (check_day, rule_id, bill_id, ivc_date_time, severity, bus_no, place_code, bus_type, bill_batch_code, bill_no,
    bus_date_time, total_amt, observed, detail, engine, run_id, found_at)
VALUES (%(check_day)s, %(rule_id)s, %(bill_id)s, %(ivc_date_time)s, %(severity)s, %(bus_no)s, %(place_code)s,
    %(bus_type)s, %(bill_batch_code)s, %(bill_no)s, %(bus_date_time)s, %(total_amt)s, %(observed)s, %(detail)s,
    %(engine)s, %(run_id)s, %(found_at)s)
