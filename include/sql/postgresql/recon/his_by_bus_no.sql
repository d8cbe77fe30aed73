-- Settlements of the given busNos (a JSON array of strings) within the bounds: whether a bill
-- without a settlement on its day has one on another day.
SELECT CAST(NULL AS bigint) AS bucket, s.settle_id, s.bus_no, s.bus_type, s.place_code, s.settle_time,
       s.direction, s.state, s.amount_text, s.pay_channel, s.voucher_type, s.bill_batch_code, s.bill_no,
       s.check_code
FROM his.settlement s
JOIN (SELECT jsonb_array_elements_text(%(keys)s::jsonb) AS bus_no) k ON k.bus_no = s.bus_no
WHERE s.settle_time >= %(window_start)s
  AND s.settle_time < %(window_end)s
