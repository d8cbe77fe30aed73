INSERT INTO recon_transit (biz_date, bill_id, kind, bus_no, bill_batch_code, bill_no, place_code, bus_type,
    ivc_date_time, direction, amount, upload_time, computed_at)
VALUES (:biz_date, :bill_id, :kind, :bus_no, :bill_batch_code, :bill_no, :place_code,
    :bus_type, :ivc_date_time, :direction, :amount, :upload_time, :computed_at)
