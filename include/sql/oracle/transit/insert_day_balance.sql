INSERT INTO transit_day_balance (ivc_date, platform_count, platform_amount, platform_archived,
    finance_count, finance_amount, finance_archived, in_transit, balanced, checked_at)
VALUES (:ivc_date, :platform_count, :platform_amount, :platform_archived, :finance_count,
    :finance_amount, :finance_archived, :in_transit, :balanced, :checked_at)
