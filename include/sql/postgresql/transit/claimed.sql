SELECT bill_id FROM ebops.transit_bill WHERE claim_id = %(claim_id)s AND state = 'sending'
