-- Unused numbers handed down (下发) to each active issuing point, per bill code of the current and
-- the target year; a point without any range of a year still appears (bill_batch_code NULL).
SELECT p.place_code,
       p.place_name,
       r.bill_batch_code,
       SUM(CASE WHEN r.next_no IS NULL THEN 0
                ELSE TO_NUMBER(r.end_no) - TO_NUMBER(r.next_no) + 1 END) AS remaining
FROM issuing_point p
LEFT JOIN stock_range r
       ON r.place_code = p.place_code
      AND r.status = 2
      AND SUBSTR(r.bill_batch_code, 7, 2) IN (:current_year2, :target_year2)
WHERE p.active = 1
GROUP BY p.place_code, p.place_name, r.bill_batch_code
ORDER BY p.place_code, r.bill_batch_code
