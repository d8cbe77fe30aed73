-- Record a bill found in transit. A new bill starts pending (or supervised when only the archive
-- is missing). A known bill keeps its state; its data is refreshed while finance does not hold it,
-- and a rejected / given-up bill whose data changed (someone fixed it) gets a fresh budget.
-- A bill the ledger already repaired but the platform still shows stuck is re-applied.
INSERT INTO ebops.transit_bill AS t (bill_id, ivc_date_time, bill_batch_code, bill_no, check_code, bus_no,
    place_code, total_amt, direction, data_hash, stage, state, found_at, found_run_id, changed_at)
VALUES (%(bill_id)s, %(ivc_date_time)s, %(bill_batch_code)s, %(bill_no)s, %(check_code)s, %(bus_no)s,
    %(place_code)s, %(total_amt)s, %(direction)s, %(data_hash)s, %(stage)s,
    CASE WHEN CAST(%(stage)s AS varchar) = 'before_archive' THEN 'supervised' ELSE 'pending' END,
    %(now)s, %(run_id)s, %(now)s)
ON CONFLICT (bill_id) DO UPDATE SET
    stage = EXCLUDED.stage,
    bill_batch_code = CASE WHEN t.state IN ('pending', 'rejected', 'gave_up') THEN EXCLUDED.bill_batch_code ELSE t.bill_batch_code END,
    bill_no = CASE WHEN t.state IN ('pending', 'rejected', 'gave_up') THEN EXCLUDED.bill_no ELSE t.bill_no END,
    check_code = CASE WHEN t.state IN ('pending', 'rejected', 'gave_up') THEN EXCLUDED.check_code ELSE t.check_code END,
    bus_no = CASE WHEN t.state IN ('pending', 'rejected', 'gave_up') THEN EXCLUDED.bus_no ELSE t.bus_no END,
    place_code = CASE WHEN t.state IN ('pending', 'rejected', 'gave_up') THEN EXCLUDED.place_code ELSE t.place_code END,
    total_amt = CASE WHEN t.state IN ('pending', 'rejected', 'gave_up') THEN EXCLUDED.total_amt ELSE t.total_amt END,
    direction = CASE WHEN t.state IN ('pending', 'rejected', 'gave_up') THEN EXCLUDED.direction ELSE t.direction END,
    data_hash = CASE WHEN t.state IN ('pending', 'rejected', 'gave_up') THEN EXCLUDED.data_hash ELSE t.data_hash END,
    state = CASE WHEN t.state IN ('rejected', 'gave_up') AND t.data_hash <> EXCLUDED.data_hash THEN 'pending'
                 ELSE t.state END,
    rejections = CASE WHEN t.state IN ('rejected', 'gave_up') AND t.data_hash <> EXCLUDED.data_hash THEN 0
                      ELSE t.rejections END,
    alerted_at = CASE WHEN t.state IN ('rejected', 'gave_up') AND t.data_hash <> EXCLUDED.data_hash THEN NULL
                      ELSE t.alerted_at END,
    platform_applied_at = CASE WHEN t.state IN ('supervised', 'resolved') THEN NULL ELSE t.platform_applied_at END
