INSERT INTO transit_attempt (bill_id, bill_batch_code, bill_no, action, claim_id, run_id, started_at,
    finished_at, outcome, result_code, message)
VALUES (:bill_id, :bill_batch_code, :bill_no, :action, :claim_id, :run_id, :started_at,
    :finished_at, :outcome, :result_code, :message)
