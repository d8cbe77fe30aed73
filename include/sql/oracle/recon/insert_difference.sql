INSERT INTO recon_difference (biz_date, diff_class, diff_key, bus_no, bill_batch_code, bill_no,
    his_bill_batch_code, his_bill_no, check_code, his_check_code, his_amount, platform_amount, place_code,
    bus_type, bill_id, settle_id, his_state, platform_state, detail, status, status_by, status_at,
    status_reason, first_seen_at, computed_at)
VALUES (:biz_date, :diff_class, :diff_key, :bus_no, :bill_batch_code, :bill_no,
    :his_bill_batch_code, :his_bill_no, :check_code, :his_check_code, :his_amount,
    :platform_amount, :place_code, :bus_type, :bill_id, :settle_id, :his_state,
    :platform_state, :detail, :status, :status_by, :status_at, :status_reason,
    :first_seen_at, :computed_at)
