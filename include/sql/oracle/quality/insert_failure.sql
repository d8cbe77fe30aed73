INSERT INTO quality_failure (check_day, rule_id, bill_id, ivc_date_time, severity, bus_no, place_code, bus_type, bill_batch_code, bill_no,
    bus_date_time, total_amt, observed, detail, engine, run_id, found_at)
VALUES (:check_day, :rule_id, :bill_id, :ivc_date_time, :severity, :bus_no, :place_code,
    :bus_type, :bill_batch_code, :bill_no, :bus_date_time, :total_amt, :observed, :detail,
    :engine, :run_id, :found_at)
