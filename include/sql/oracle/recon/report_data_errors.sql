SELECT biz_date, kind, settle_id, bus_no, bill_batch_code, bill_no, bad_value, detail
FROM recon_data_error
WHERE biz_date = :biz_date
ORDER BY kind, settle_id
