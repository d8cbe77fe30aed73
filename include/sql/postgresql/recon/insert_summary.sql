INSERT INTO ebops.recon_summary (biz_date, dimension, dim_value, his_count, his_amount, his_bad_amounts,
    platform_count, platform_amount, diff_count, diff_amount, detail_count, detail_amount, balanced, explained,
    computed_at)
VALUES (%(biz_date)s, %(dimension)s, %(dim_value)s, %(his_count)s, %(his_amount)s, %(his_bad_amounts)s,
    %(platform_count)s, %(platform_amount)s, %(diff_count)s, %(diff_amount)s, %(detail_count)s,
    %(detail_amount)s, %(balanced)s, %(explained)s, %(computed_at)s)
