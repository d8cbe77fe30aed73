-- Settlements naming the given bills (a JSON array of {"c": code, "n": number}) within the bounds.
SELECT CAST(NULL AS bigint) AS bucket, s.settle_id, s.bus_no, s.bus_type, s.place_code, s.settle_time,
       s.direction, s.state, s.amount_text, s.pay_channel, s.voucher_type, s.bill_batch_code, s.bill_no,
       s.check_code
FROM his.settlement s
JOIN jsonb_to_recordset(%(keys)s::jsonb) AS k (c text, n text)
  ON s.bill_batch_code = k.c AND s.bill_no = k.n
WHERE s.settle_time >= %(window_start)s
  AND s.settle_time < %(window_end)s
