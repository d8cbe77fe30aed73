INSERT INTO ebops.recon_day (biz_date, date_basis, his_count, his_amount, platform_count, platform_amount,
    differences, data_errors, balanced, explained, detail_status, detail_note, stats, workbook_url, run_id,
    computed_at)
VALUES (%(biz_date)s, %(date_basis)s, %(his_count)s, %(his_amount)s, %(platform_count)s, %(platform_amount)s,
    %(differences)s, %(data_errors)s, %(balanced)s, %(explained)s, %(detail_status)s, %(detail_note)s,
    %(stats)s, NULL, %(run_id)s, %(computed_at)s)
