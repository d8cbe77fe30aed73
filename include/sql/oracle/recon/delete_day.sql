DELETE FROM recon_day WHERE biz_date >= :first_day AND biz_date < :end_day
