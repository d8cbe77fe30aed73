INSERT INTO ebops.transit_attempt (bill_id, bill_batch_code, bill_no, action, claim_id, run_id, started_at,
    finished_at, outcome, result_code, message)
VALUES (%(bill_id)s, %(bill_batch_code)s, %(bill_no)s, %(action)s, %(claim_id)s, %(run_id)s, %(started_at)s,
    %(finished_at)s, %(outcome)s, %(result_code)s, %(message)s)
