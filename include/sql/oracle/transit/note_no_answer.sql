-- An upload request got no usable answer: its bills stay in flight (outcome NULL); say why.
UPDATE transit_attempt
SET message = :message
WHERE claim_id = :claim_id AND action = 'upload' AND outcome IS NULL
