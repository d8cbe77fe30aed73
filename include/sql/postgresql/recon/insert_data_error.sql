INSERT INTO ebops.recon_data_error (biz_date, kind, settle_id, bus_no, bill_batch_code, bill_no, bad_value,
    detail, computed_at)
VALUES (%(biz_date)s, %(kind)s, %(settle_id)s, %(bus_no)s, %(bill_batch_code)s, %(bill_no)s, %(bad_value)s,
    %(detail)s, %(computed_at)s)
