INSERT INTO recon_data_error (biz_date, kind, settle_id, bus_no, bill_batch_code, bill_no, bad_value,
    detail, computed_at)
VALUES (:biz_date, :kind, :settle_id, :bus_no, :bill_batch_code, :bill_no, :bad_value,
    :detail, :computed_at)
