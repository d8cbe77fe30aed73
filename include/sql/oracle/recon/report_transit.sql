SELECT biz_date, bill_id, kind, bus_no, bill_batch_code, bill_no, place_code, bus_type, ivc_date_time, direction,
       amount, upload_time
FROM recon_transit
WHERE biz_date = :biz_date
ORDER BY kind, ivc_date_time, bill_id
