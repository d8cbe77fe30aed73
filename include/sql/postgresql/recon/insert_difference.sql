INSERT INTO ebops.recon_difference (biz_date, diff_class, diff_key, bus_no, bill_batch_code, bill_no,
    his_bill_batch_code, his_bill_no, check_code, his_check_code, his_amount, platform_amount, place_code,
    bus_type, bill_id, settle_id, his_state, platform_state, detail, status, status_by, status_at,
    status_reason, first_seen_at, computed_at)
VALUES (%(biz_date)s, %(diff_class)s, %(diff_key)s, %(bus_no)s, %(bill_batch_code)s, %(bill_no)s,
    %(his_bill_batch_code)s, %(his_bill_no)s, %(check_code)s, %(his_check_code)s, %(his_amount)s,
    %(platform_amount)s, %(place_code)s, %(bus_type)s, %(bill_id)s, %(settle_id)s, %(his_state)s,
    %(platform_state)s, %(detail)s, %(status)s, %(status_by)s, %(status_at)s, %(status_reason)s,
    %(first_seen_at)s, %(computed_at)s)
