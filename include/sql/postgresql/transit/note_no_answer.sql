-- An upload request got no usable answer: its bills stay in flight (outcome NULL); say why.
UPDATE ebops.transit_attempt
SET message = %(message)s
WHERE claim_id = %(claim_id)s AND action = 'upload' AND outcome IS NULL
