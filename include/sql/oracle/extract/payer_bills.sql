-- Every bill of one payer (by ID number) issued in [window_start, window_end).
SELECT b.ivc_date_time, b.bill_batch_code, b.bill_no, b.check_code, b.data_type, b.state,
       b.direction, b.bus_type, b.place_code, b.bus_no, b.payer, b.id_card_no, b.patient_no,
       b.hospital_no, b.total_amt, b.total_amt * b.direction AS signed_amt, b.fund_pay,
       b.self_cash_pay, b.relate_bill_batch_code, b.relate_bill_no
FROM bill b
WHERE b.id_card_no = :payer_id
  AND b.ivc_date_time >= :window_start AND b.ivc_date_time < :window_end
ORDER BY b.ivc_date_time, b.bill_batch_code, b.bill_no, b.bill_id
