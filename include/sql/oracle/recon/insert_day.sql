INSERT INTO recon_day (biz_date, date_basis, his_count, his_amount, platform_count, platform_amount,
    differences, data_errors, balanced, explained, detail_status, detail_note, stats, workbook_url, run_id,
    computed_at)
VALUES (:biz_date, :date_basis, :his_count, :his_amount, :platform_count, :platform_amount,
    :differences, :data_errors, :balanced, :explained, :detail_status, :detail_note,
    :stats, NULL, :run_id, :computed_at)
