SELECT biz_date, dimension, dim_value, his_count, his_amount, his_bad_amounts, platform_count, platform_amount,
       diff_count, diff_amount, detail_count, detail_amount, balanced, explained
FROM ebops.recon_summary
WHERE biz_date = %(biz_date)s
