-- Bills issued in [window_start, window_end) that are signed but not supervised (监制), or
-- supervised but not archived (归档): in transit (在途). window_end is already capped by the
-- caller at "now - allowed lag". Blank paper stock (data_type 5) is never uploaded.
SELECT bill_id, ivc_date_time, bill_batch_code, bill_no, check_code, bus_no, place_code,
       total_amt, direction, upload_time, supervise_time, archive_time,
       CASE WHEN supervise_time IS NULL THEN 'before_supervision' ELSE 'before_archive' END AS stage
FROM bill
WHERE ivc_date_time >= :window_start AND ivc_date_time < :window_end
  AND sign_time IS NOT NULL
  AND data_type <> 5
  AND (supervise_time IS NULL OR archive_time IS NULL)
ORDER BY ivc_date_time, bill_id
