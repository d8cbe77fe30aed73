SELECT biz_date, date_basis, his_count, his_amount, platform_count, platform_amount, differences, data_errors,
       balanced, explained, detail_status, detail_note, stats, workbook_url, run_id, computed_at
FROM recon_day
WHERE biz_date >= :first_day
  AND biz_date < :end_day
ORDER BY biz_date
