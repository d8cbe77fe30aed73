-- Bills (any state) by bill code + number (a JSON array of {"c": code, "n": number}), issued
-- within the bounds: the second way to find a settlement's bill.
SELECT CAST(NULL AS bigint) AS bucket, b.bill_id, b.bus_no, b.bus_type, b.place_code, b.bus_date_time,
       b.ivc_date_time, b.data_type, b.state, b.direction, b.total_amt, b.pay_channel, b.bill_batch_code,
       b.bill_no, b.check_code
FROM ebill.bill b
JOIN jsonb_to_recordset(%(keys)s::jsonb) AS k (c text, n text)
  ON b.bill_batch_code = k.c AND b.bill_no = k.n
WHERE b.ivc_date_time >= %(ivc_lo)s
  AND b.ivc_date_time < %(ivc_hi)s
