UPDATE transit_bill SET alerted_at = :now WHERE bill_id = :bill_id AND state = 'gave_up'
