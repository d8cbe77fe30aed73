-- Complete an upload attempt that was in flight (outcome NULL) with what finance answered.
UPDATE ebops.transit_attempt
SET finished_at = %(now)s, outcome = %(outcome)s, result_code = %(result_code)s, message = %(message)s
WHERE claim_id = %(claim_id)s AND bill_id = %(bill_id)s AND action = 'upload' AND outcome IS NULL
