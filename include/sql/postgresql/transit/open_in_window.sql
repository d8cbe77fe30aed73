-- Open ledger bills issued in the run's window.
SELECT bill_id, ivc_date_time, bill_batch_code, bill_no, check_code, bus_no, place_code, total_amt, direction,
       state, rejections, checked_at, last_attempt_at, claim_id, supervise_time
FROM ebops.transit_bill
WHERE ivc_date_time >= %(window_start)s AND ivc_date_time < %(window_end)s
  AND state IN ('pending', 'sending', 'supervised', 'rejected')
ORDER BY ivc_date_time, bill_id
