SELECT biz_date, platform_count, platform_amount, platform_supervised, platform_archived, finance_count,
       finance_amount, finance_archived, transit_before_supervision, transit_before_archive, transit_amount,
       count_diff, amount_diff, archived_diff, balanced, explained, note, run_id, computed_at
FROM recon_finance
WHERE biz_date = :biz_date
