DELETE FROM recon_data_error WHERE biz_date >= :first_day AND biz_date < :end_day
