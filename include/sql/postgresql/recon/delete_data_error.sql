DELETE FROM ebops.recon_data_error WHERE biz_date >= %(first_day)s AND biz_date < %(end_day)s
