-- Per bill code and issuing point over an audit period [window_start, window_end): bills issued,
-- blue / red / voided / reversed / paper counts, amounts (voided bills carry none; net counts
-- red negative by direction), archiving, and the lowest and highest numbers used.
SELECT b.bill_batch_code, b.place_code, p.place_name,
       count(*) AS issued,
       sum(CASE WHEN b.direction = 1 THEN 1 ELSE 0 END) AS blue_count,
       sum(CASE WHEN b.direction = -1 THEN 1 ELSE 0 END) AS red_count,
       sum(CASE WHEN b.state = 2 THEN 1 ELSE 0 END) AS voided,
       sum(CASE WHEN b.state = 3 THEN 1 ELSE 0 END) AS reversed,
       sum(CASE WHEN b.data_type IN (3, 4, 5) THEN 1 ELSE 0 END) AS paper,
       sum(CASE WHEN b.direction = 1 AND b.state <> 2 THEN b.total_amt ELSE 0 END) AS blue_amt,
       sum(CASE WHEN b.direction = -1 AND b.state <> 2 THEN b.total_amt ELSE 0 END) AS red_amt,
       sum(CASE WHEN b.state <> 2 THEN b.total_amt * b.direction ELSE 0 END) AS net_amt,
       sum(CASE WHEN b.archive_time IS NOT NULL THEN 1 ELSE 0 END) AS archived,
       sum(CASE WHEN b.archive_time IS NULL THEN 1 ELSE 0 END) AS not_archived,
       min(b.bill_no) AS first_no, max(b.bill_no) AS last_no
FROM ebill.bill b
LEFT JOIN ebill.issuing_point p ON p.place_code = b.place_code
WHERE b.ivc_date_time >= %(window_start)s AND b.ivc_date_time < %(window_end)s
  AND (CAST(%(place_code)s AS varchar) IS NULL OR b.place_code = %(place_code)s)
GROUP BY b.bill_batch_code, b.place_code, p.place_name
ORDER BY b.bill_batch_code, b.place_code
