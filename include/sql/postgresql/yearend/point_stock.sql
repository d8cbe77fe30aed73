-- Unused numbers handed down (下发) to each active issuing point, per bill code of the current and
-- the target year; a point without any range of a year still appears (bill_batch_code NULL).
SELECT p.place_code,
       p.place_name,
       r.bill_batch_code,
       sum(CASE WHEN r.next_no IS NULL THEN 0
                ELSE CAST(r.end_no AS bigint) - CAST(r.next_no AS bigint) + 1 END) AS remaining
FROM ebill.issuing_point p
LEFT JOIN ebill.stock_range r
       ON r.place_code = p.place_code
      AND r.status = 2
      AND substr(r.bill_batch_code, 7, 2) IN (%(current_year2)s, %(target_year2)s)
WHERE p.active
GROUP BY p.place_code, p.place_name, r.bill_batch_code
ORDER BY p.place_code, r.bill_batch_code
