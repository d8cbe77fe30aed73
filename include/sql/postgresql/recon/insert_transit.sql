INSERT INTO ebops.recon_transit (biz_date, bill_id, kind, bus_no, bill_batch_code, bill_no, place_code, bus_type,
    ivc_date_time, direction, amount, upload_time, computed_at)
VALUES (%(biz_date)s, %(bill_id)s, %(kind)s, %(bus_no)s, %(bill_batch_code)s, %(bill_no)s, %(place_code)s,
    %(bus_type)s, %(ivc_date_time)s, %(direction)s, %(amount)s, %(upload_time)s, %(computed_at)s)
