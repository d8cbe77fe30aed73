-- Red bills (direction -1) issued in [window_start, window_end), each beside the blue bill it
-- points at (relate code + number), with the result of checking the pair. A blue bill that more
-- than one red bill of the period points at (a double refund) is flagged on each of those reds.
SELECT r.ivc_date_time, r.bill_batch_code, r.bill_no, r.data_type, r.bus_type, r.place_code,
       p.place_name, r.bus_no, r.payer, r.id_card_no, r.total_amt,
       r.relate_bill_batch_code AS blue_bill_batch_code, r.relate_bill_no AS blue_bill_no,
       bl.ivc_date_time AS blue_ivc_date_time, bl.total_amt AS blue_total_amt,
       bl.state AS blue_state, bl.bus_no AS blue_bus_no,
       CASE WHEN bl.bill_id IS NULL THEN 'blue_missing'
            WHEN count(*) OVER (PARTITION BY r.relate_bill_batch_code, r.relate_bill_no) > 1
                 THEN 'blue_reversed_twice'
            WHEN bl.total_amt <> r.total_amt THEN 'amount_differs'
            WHEN bl.state <> 3 THEN 'blue_not_reversed'
            ELSE 'ok' END AS check_result
FROM ebill.bill r
LEFT JOIN ebill.bill bl
  ON bl.bill_batch_code = r.relate_bill_batch_code AND bl.bill_no = r.relate_bill_no AND bl.direction = 1
LEFT JOIN ebill.issuing_point p ON p.place_code = r.place_code
WHERE r.direction = -1
  AND r.ivc_date_time >= %(window_start)s AND r.ivc_date_time < %(window_end)s
  AND (CAST(%(bus_type)s AS varchar) IS NULL OR r.bus_type = %(bus_type)s)
  AND (CAST(%(place_code)s AS varchar) IS NULL OR r.place_code = %(place_code)s)
ORDER BY r.ivc_date_time, r.bill_batch_code, r.bill_no, r.bill_id
