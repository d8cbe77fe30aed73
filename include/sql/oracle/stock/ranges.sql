-- Unused numbers per active issuing point and bill code of a year (stock 库存).
SELECT r.place_code,
       r.bill_batch_code,
       SUM(CASE WHEN r.next_no IS NULL THEN 0
                ELSE TO_NUMBER(r.end_no) - TO_NUMBER(r.next_no) + 1 END) AS remaining
FROM stock_range r
JOIN issuing_point p ON p.place_code = r.place_code
WHERE r.status = 2
  AND p.active = 1
  AND SUBSTR(r.bill_batch_code, 7, 2) = :year2
GROUP BY r.place_code, r.bill_batch_code
ORDER BY r.place_code, r.bill_batch_code
