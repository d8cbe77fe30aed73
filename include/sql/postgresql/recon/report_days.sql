SELECT biz_date, date_basis, his_count, his_amount, platform_count, platform_amount, differences, data_errors,
       balanced, explained, detail_status, detail_note, stats, workbook_url, run_id, computed_at
FROM ebops.recon_day
WHERE biz_date >= %(first_day)s
  AND biz_date < %(end_day)s
ORDER BY biz_date
