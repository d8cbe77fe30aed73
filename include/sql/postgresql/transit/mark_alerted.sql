UPDATE ebops.transit_bill SET alerted_at = %(now)s WHERE bill_id = %(bill_id)s AND state = 'gave_up'
