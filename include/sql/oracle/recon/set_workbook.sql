UPDATE recon_day SET workbook_url = :workbook_url WHERE biz_date = :biz_date
