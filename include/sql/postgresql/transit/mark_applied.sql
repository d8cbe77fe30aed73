UPDATE ebops.transit_bill SET platform_applied_at = %(changed_at)s
WHERE bill_id = %(bill_id)s AND changed_at = %(changed_at)s
