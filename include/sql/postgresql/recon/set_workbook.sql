UPDATE ebops.recon_day SET workbook_url = %(workbook_url)s WHERE biz_date = %(biz_date)s
