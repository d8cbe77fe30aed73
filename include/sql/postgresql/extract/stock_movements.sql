-- Stock movements of [window_start, window_end): number ranges handed down to a point (in, one
-- row per range, by hand-down time) and numbers used by issuing (out, one row per day, point
-- and bill code). A range whose numbers are not all digits shows no quantity instead of failing.
SELECT m.movement_time, m.place_code, p.place_name, m.bill_batch_code, m.movement,
       m.first_no, m.last_no, m.quantity, m.range_status
FROM (
    SELECT r.handed_down_time AS movement_time, r.place_code, r.bill_batch_code,
           'handed_down' AS movement, r.start_no AS first_no, r.end_no AS last_no,
           CASE WHEN r.start_no ~ '^[0-9]{1,18}$' AND r.end_no ~ '^[0-9]{1,18}$'
                THEN CAST(r.end_no AS bigint) - CAST(r.start_no AS bigint) + 1 END AS quantity,
           r.status AS range_status
    FROM ebill.stock_range r
    WHERE r.handed_down_time >= %(window_start)s AND r.handed_down_time < %(window_end)s
      AND (CAST(%(place_code)s AS varchar) IS NULL OR r.place_code = %(place_code)s)
    UNION ALL
    SELECT CAST(CAST(b.ivc_date_time AS date) AS timestamp), b.place_code, b.bill_batch_code,
           'issued', min(b.bill_no), max(b.bill_no), -count(*), CAST(NULL AS smallint)
    FROM ebill.bill b
    WHERE b.ivc_date_time >= %(window_start)s AND b.ivc_date_time < %(window_end)s
      AND (CAST(%(place_code)s AS varchar) IS NULL OR b.place_code = %(place_code)s)
    GROUP BY CAST(b.ivc_date_time AS date), b.place_code, b.bill_batch_code
) m
LEFT JOIN ebill.issuing_point p ON p.place_code = m.place_code
ORDER BY m.movement_time, m.place_code, m.bill_batch_code, m.movement, m.first_no
