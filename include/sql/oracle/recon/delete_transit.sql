DELETE FROM recon_transit WHERE biz_date >= :first_day AND biz_date < :end_day
