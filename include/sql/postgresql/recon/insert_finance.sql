INSERT INTO ebops.recon_finance (biz_date, platform_count, platform_amount, platform_supervised,
    platform_archived, finance_count, finance_amount, finance_archived, transit_before_supervision,
    transit_before_archive, transit_amount, count_diff, amount_diff, archived_diff, balanced, explained, note,
    run_id, computed_at)
VALUES (%(biz_date)s, %(platform_count)s, %(platform_amount)s, %(platform_supervised)s, %(platform_archived)s,
    %(finance_count)s, %(finance_amount)s, %(finance_archived)s, %(transit_before_supervision)s,
    %(transit_before_archive)s, %(transit_amount)s, %(count_diff)s, %(amount_diff)s, %(archived_diff)s,
    %(balanced)s, %(explained)s, %(note)s, %(run_id)s, %(computed_at)s)
