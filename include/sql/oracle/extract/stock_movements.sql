-- Stock movements of [window_start, window_end): number ranges handed down to a point (in, one
-- row per range, by hand-down time) and numbers used by issuing (out, one row per day, point
-- and bill code). A range whose numbers are not all digits shows no quantity instead of failing.
SELECT m.movement_time, m.place_code, p.place_name, m.bill_batch_code, m.movement,
       m.first_no, m.last_no, m.quantity, m.range_status
FROM (
    SELECT r.handed_down_time AS movement_time, r.place_code, r.bill_batch_code,
           'handed_down' AS movement, r.start_no AS first_no, r.end_no AS last_no,
           CASE WHEN REGEXP_LIKE(r.start_no, '^[0-9]{1,18}$') AND REGEXP_LIKE(r.end_no, '^[0-9]{1,18}$')
                THEN TO_NUMBER(r.end_no) - TO_NUMBER(r.start_no) + 1 END AS quantity,
           r.status AS range_status
    FROM stock_range r
    WHERE r.handed_down_time >= :window_start AND r.handed_down_time < :window_end
      AND (:place_code IS NULL OR r.place_code = :place_code)
    UNION ALL
    SELECT TRUNC(b.ivc_date_time), b.place_code, b.bill_batch_code,
           'issued', MIN(b.bill_no), MAX(b.bill_no), -COUNT(*), CAST(NULL AS NUMBER(2))
    FROM bill b
    WHERE b.ivc_date_time >= :window_start AND b.ivc_date_time < :window_end
      AND (:place_code IS NULL OR b.place_code = :place_code)
    GROUP BY TRUNC(b.ivc_date_time), b.place_code, b.bill_batch_code
) m
LEFT JOIN issuing_point p ON p.place_code = m.place_code
ORDER BY m.movement_time, m.place_code, m.bill_batch_code, m.movement, m.first_no
