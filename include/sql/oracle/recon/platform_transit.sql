-- Bills issued in the window that finance has not supervised or archived yet (Oracle).
SELECT bill_id, bus_no, bill_batch_code, bill_no, place_code, bus_type, ivc_date_time, direction, total_amt,
       upload_time, supervise_time, archive_time,
       CASE WHEN supervise_time IS NULL THEN 'before_supervision' ELSE 'before_archive' END AS kind
FROM bill
WHERE ivc_date_time >= :window_start
  AND ivc_date_time < :window_end
  AND data_type <> 5
  AND (supervise_time IS NULL OR archive_time IS NULL)
ORDER BY ivc_date_time, bill_id
