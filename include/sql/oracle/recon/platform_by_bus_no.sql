-- Bills (any state) of the given busNos (:keys, a JSON array of strings) issued within the bounds.
SELECT CAST(NULL AS NUMBER) AS bucket, b.bill_id, b.bus_no, b.bus_type, b.place_code, b.bus_date_time,
       b.ivc_date_time, b.data_type, b.state, b.direction, b.total_amt, b.pay_channel, b.bill_batch_code,
       b.bill_no, b.check_code
FROM bill b
JOIN JSON_TABLE(:keys, '$[*]' COLUMNS (bus_no VARCHAR2(64) PATH '$')) k ON k.bus_no = b.bus_no
WHERE b.ivc_date_time >= :ivc_lo
  AND b.ivc_date_time < :ivc_hi
