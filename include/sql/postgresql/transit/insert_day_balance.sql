INSERT INTO ebops.transit_day_balance (ivc_date, platform_count, platform_amount, platform_archived,
    finance_count, finance_amount, finance_archived, in_transit, balanced, checked_at)
VALUES (%(ivc_date)s, %(platform_count)s, %(platform_amount)s, %(platform_archived)s, %(finance_count)s,
    %(finance_amount)s, %(finance_archived)s, %(in_transit)s, %(balanced)s, %(checked_at)s)
