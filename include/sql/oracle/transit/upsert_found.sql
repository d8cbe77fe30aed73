-- Record a bill found in transit (see the PostgreSQL file for the rules).
MERGE INTO transit_bill t
USING (SELECT :bill_id AS bill_id, :ivc_date_time AS ivc_date_time, :bill_batch_code AS bill_batch_code,
              :bill_no AS bill_no, :check_code AS check_code, :bus_no AS bus_no, :place_code AS place_code,
              :total_amt AS total_amt, :direction AS direction, :data_hash AS data_hash, :stage AS stage,
              :now AS now_time, :run_id AS run_id
       FROM dual) s
ON (t.bill_id = s.bill_id)
WHEN MATCHED THEN UPDATE SET
    t.stage = s.stage,
    t.bill_batch_code = CASE WHEN t.state IN ('pending', 'rejected', 'gave_up') THEN s.bill_batch_code ELSE t.bill_batch_code END,
    t.bill_no = CASE WHEN t.state IN ('pending', 'rejected', 'gave_up') THEN s.bill_no ELSE t.bill_no END,
    t.check_code = CASE WHEN t.state IN ('pending', 'rejected', 'gave_up') THEN s.check_code ELSE t.check_code END,
    t.bus_no = CASE WHEN t.state IN ('pending', 'rejected', 'gave_up') THEN s.bus_no ELSE t.bus_no END,
    t.place_code = CASE WHEN t.state IN ('pending', 'rejected', 'gave_up') THEN s.place_code ELSE t.place_code END,
    t.total_amt = CASE WHEN t.state IN ('pending', 'rejected', 'gave_up') THEN s.total_amt ELSE t.total_amt END,
    t.direction = CASE WHEN t.state IN ('pending', 'rejected', 'gave_up') THEN s.direction ELSE t.direction END,
    t.data_hash = CASE WHEN t.state IN ('pending', 'rejected', 'gave_up') THEN s.data_hash ELSE t.data_hash END,
    t.state = CASE WHEN t.state IN ('rejected', 'gave_up') AND t.data_hash <> s.data_hash THEN 'pending'
                   ELSE t.state END,
    t.rejections = CASE WHEN t.state IN ('rejected', 'gave_up') AND t.data_hash <> s.data_hash THEN 0
                        ELSE t.rejections END,
    t.alerted_at = CASE WHEN t.state IN ('rejected', 'gave_up') AND t.data_hash <> s.data_hash THEN NULL
                        ELSE t.alerted_at END,
    t.platform_applied_at = CASE WHEN t.state IN ('supervised', 'resolved') THEN NULL ELSE t.platform_applied_at END
WHEN NOT MATCHED THEN INSERT (bill_id, ivc_date_time, bill_batch_code, bill_no, check_code, bus_no, place_code,
    total_amt, direction, data_hash, stage, state, found_at, found_run_id, changed_at)
VALUES (s.bill_id, s.ivc_date_time, s.bill_batch_code, s.bill_no, s.check_code, s.bus_no, s.place_code,
    s.total_amt, s.direction, s.data_hash, s.stage,
    CASE WHEN s.stage = 'before_archive' THEN 'supervised' ELSE 'pending' END, s.now_time, s.run_id, s.now_time)
