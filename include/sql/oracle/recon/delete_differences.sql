-- A re-run replaces its days (the people's part is read first: recon/statuses).
DELETE FROM recon_difference WHERE biz_date >= :first_day AND biz_date < :end_day
