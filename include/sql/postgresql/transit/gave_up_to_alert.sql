-- Bills that spent their retry budget and no alert has named yet.
SELECT bill_id, ivc_date_time, bill_batch_code, bill_no, bus_no, place_code, total_amt, direction,
       rejections, last_result, last_message, last_attempt_at
FROM ebops.transit_bill
WHERE state = 'gave_up' AND alerted_at IS NULL
ORDER BY ivc_date_time, bill_id
