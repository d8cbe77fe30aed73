-- Bills issued in [window_start, window_end), optionally of one business type, issuing point or
-- payment channel (a bill with any payment line in that channel). Columns follow the catalogue
-- (plugins/ebill_ops/extract/catalogue.py); the payer ID is masked when the workbook is written.
SELECT b.ivc_date_time, b.bus_date_time, b.bill_batch_code, b.bill_no, b.check_code,
       b.data_type, b.state, b.direction, b.bus_type, b.place_code, p.place_name, b.bus_no,
       b.payer, b.id_card_no, b.total_amt, b.total_amt * b.direction AS signed_amt,
       b.fund_pay, b.account_pay, b.otherfund_pay, b.self_cash_pay, b.pay_channel, b.payee,
       b.relate_bill_batch_code, b.relate_bill_no, b.supervise_time, b.archive_time, b.accounted
FROM ebill.bill b
LEFT JOIN ebill.issuing_point p ON p.place_code = b.place_code
WHERE b.ivc_date_time >= %(window_start)s AND b.ivc_date_time < %(window_end)s
  AND (CAST(%(bus_type)s AS varchar) IS NULL OR b.bus_type = %(bus_type)s)
  AND (CAST(%(place_code)s AS varchar) IS NULL OR b.place_code = %(place_code)s)
  AND (CAST(%(pay_channel)s AS varchar) IS NULL OR EXISTS (
        SELECT 1 FROM ebill.bill_payment pm
        WHERE pm.bill_id = b.bill_id AND pm.ivc_date_time = b.ivc_date_time
          AND pm.pay_channel = %(pay_channel)s))
ORDER BY b.ivc_date_time, b.bill_batch_code, b.bill_no, b.bill_id
