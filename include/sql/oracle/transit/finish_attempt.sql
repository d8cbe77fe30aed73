-- Complete an upload attempt that was in flight (outcome NULL) with what finance answered.
UPDATE transit_attempt
SET finished_at = :now, outcome = :outcome, result_code = :result_code, message = :message
WHERE claim_id = :claim_id AND bill_id = :bill_id AND action = 'upload' AND outcome IS NULL
