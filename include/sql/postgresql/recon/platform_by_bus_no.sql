-- Bills (any state) of the given busNos (a JSON array of strings), issued within the bounds:
-- where a settlement's bill went when it is not on the settlement's day.
SELECT CAST(NULL AS bigint) AS bucket, b.bill_id, b.bus_no, b.bus_type, b.place_code, b.bus_date_time,
       b.ivc_date_time, b.data_type, b.state, b.direction, b.total_amt, b.pay_channel, b.bill_batch_code,
       b.bill_no, b.check_code
FROM ebill.bill b
JOIN (SELECT jsonb_array_elements_text(%(keys)s::jsonb) AS bus_no) k ON k.bus_no = b.bus_no
WHERE b.ivc_date_time >= %(ivc_lo)s
  AND b.ivc_date_time < %(ivc_hi)s
