INSERT INTO recon_summary (biz_date, dimension, dim_value, his_count, his_amount, his_bad_amounts,
    platform_count, platform_amount, diff_count, diff_amount, detail_count, detail_amount, balanced, explained,
    computed_at)
VALUES (:biz_date, :dimension, :dim_value, :his_count, :his_amount, :his_bad_amounts,
    :platform_count, :platform_amount, :diff_count, :diff_amount, :detail_count,
    :detail_amount, :balanced, :explained, :computed_at)
