-- Bill kinds (region+class+kind: the first six digits of the code) each issuing point issued as
-- e-bills (data_type 1 blue, 2 red) in a recent window: the kinds it needs stock of next year.
SELECT place_code,
       substr(bill_batch_code, 1, 6) AS kind,
       count(*) AS bills
FROM ebill.bill
WHERE ivc_date_time >= %(since)s
  AND ivc_date_time < %(until)s
  AND data_type IN (1, 2)
GROUP BY place_code, substr(bill_batch_code, 1, 6)
ORDER BY place_code, kind
