-- A re-run replaces its days (the people's part is read first: recon/statuses).
DELETE FROM ebops.recon_difference WHERE biz_date >= %(first_day)s AND biz_date < %(end_day)s
