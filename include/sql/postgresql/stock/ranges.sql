-- Unused numbers per active issuing point and bill code of a year (stock 库存).
SELECT r.place_code,
       r.bill_batch_code,
       sum(CASE WHEN r.next_no IS NULL THEN 0
                ELSE r.end_no::bigint - r.next_no::bigint + 1 END) AS remaining
FROM ebill.stock_range r
JOIN ebill.issuing_point p ON p.place_code = r.place_code
WHERE r.status = 2
  AND p.active
  AND substr(r.bill_batch_code, 7, 2) = %(year2)s
GROUP BY r.place_code, r.bill_batch_code
ORDER BY r.place_code, r.bill_batch_code
