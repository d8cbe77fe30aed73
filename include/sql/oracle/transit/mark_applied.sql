UPDATE transit_bill SET platform_applied_at = :changed_at
WHERE bill_id = :bill_id AND changed_at = :changed_at
