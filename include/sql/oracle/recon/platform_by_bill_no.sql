-- Bills (any state) by bill code + number (:keys, a JSON array of {"c": code, "n": number}).
SELECT CAST(NULL AS NUMBER) AS bucket, b.bill_id, b.bus_no, b.bus_type, b.place_code, b.bus_date_time,
       b.ivc_date_time, b.data_type, b.state, b.direction, b.total_amt, b.pay_channel, b.bill_batch_code,
       b.bill_no, b.check_code
FROM bill b
JOIN JSON_TABLE(:keys, '$[*]' COLUMNS (c VARCHAR2(8) PATH '$.c', n VARCHAR2(10) PATH '$.n')) k
  ON b.bill_batch_code = k.c AND b.bill_no = k.n
WHERE b.ivc_date_time >= :ivc_lo
  AND b.ivc_date_time < :ivc_hi
