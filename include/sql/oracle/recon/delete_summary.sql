DELETE FROM recon_summary WHERE biz_date >= :first_day AND biz_date < :end_day
