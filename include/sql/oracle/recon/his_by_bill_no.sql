-- Settlements naming the given bills (:keys, a JSON array of {"c": code, "n": number}).
SELECT CAST(NULL AS NUMBER) AS bucket, s.settle_id, s.bus_no, s.bus_type, s.place_code, s.settle_time,
       s.direction, s.state, s.amount_text, s.pay_channel, s.voucher_type, s.bill_batch_code, s.bill_no,
       s.check_code
FROM settlement s
JOIN JSON_TABLE(:keys, '$[*]' COLUMNS (c VARCHAR2(8) PATH '$.c', n VARCHAR2(10) PATH '$.n')) k
  ON s.bill_batch_code = k.c AND s.bill_no = k.n
WHERE s.settle_time >= :window_start
  AND s.settle_time < :window_end
