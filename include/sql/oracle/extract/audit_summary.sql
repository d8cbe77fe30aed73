-- Per bill code and issuing point over an audit period [window_start, window_end): bills issued,
-- blue / red / voided / reversed / paper counts, amounts (voided bills carry none; net counts
-- red negative by direction), archiving, and the lowest and highest numbers used.
SELECT b.bill_batch_code, b.place_code, p.place_name,
       COUNT(*) AS issued,
       SUM(CASE WHEN b.direction = 1 THEN 1 ELSE 0 END) AS blue_count,
       SUM(CASE WHEN b.direction = -1 THEN 1 ELSE 0 END) AS red_count,
       SUM(CASE WHEN b.state = 2 THEN 1 ELSE 0 END) AS voided,
       SUM(CASE WHEN b.state = 3 THEN 1 ELSE 0 END) AS reversed,
       SUM(CASE WHEN b.data_type IN (3, 4, 5) THEN 1 ELSE 0 END) AS paper,
       SUM(CASE WHEN b.direction = 1 AND b.state <> 2 THEN b.total_amt ELSE 0 END) AS blue_amt,
       SUM(CASE WHEN b.direction = -1 AND b.state <> 2 THEN b.total_amt ELSE 0 END) AS red_amt,
       SUM(CASE WHEN b.state <> 2 THEN b.total_amt * b.direction ELSE 0 END) AS net_amt,
       SUM(CASE WHEN b.archive_time IS NOT NULL THEN 1 ELSE 0 END) AS archived,
       SUM(CASE WHEN b.archive_time IS NULL THEN 1 ELSE 0 END) AS not_archived,
       MIN(b.bill_no) AS first_no, MAX(b.bill_no) AS last_no
FROM bill b
LEFT JOIN issuing_point p ON p.place_code = b.place_code
WHERE b.ivc_date_time >= :window_start AND b.ivc_date_time < :window_end
  AND (:place_code IS NULL OR b.place_code = :place_code)
GROUP BY b.bill_batch_code, b.place_code, p.place_name
ORDER BY b.bill_batch_code, b.place_code
