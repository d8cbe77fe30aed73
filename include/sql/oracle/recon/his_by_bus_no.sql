-- Settlements of the given busNos (:keys, a JSON array of strings) within the bounds.
SELECT CAST(NULL AS NUMBER) AS bucket, s.settle_id, s.bus_no, s.bus_type, s.place_code, s.settle_time,
       s.direction, s.state, s.amount_text, s.pay_channel, s.voucher_type, s.bill_batch_code, s.bill_no,
       s.check_code
FROM settlement s
JOIN JSON_TABLE(:keys, '$[*]' COLUMNS (bus_no VARCHAR2(64) PATH '$')) k ON k.bus_no = s.bus_no
WHERE s.settle_time >= :window_start
  AND s.settle_time < :window_end
