SELECT biz_date, kind, settle_id, bus_no, bill_batch_code, bill_no, bad_value, detail
FROM ebops.recon_data_error
WHERE biz_date = %(biz_date)s
ORDER BY kind, settle_id
