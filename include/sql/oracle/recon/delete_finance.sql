DELETE FROM recon_finance WHERE biz_date >= :first_day AND biz_date < :end_day
