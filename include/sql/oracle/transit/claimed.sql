SELECT bill_id FROM transit_bill WHERE claim_id = :claim_id AND state = 'sending'
