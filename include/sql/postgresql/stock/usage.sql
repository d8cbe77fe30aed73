-- Numbers consumed per issuing point and bill code in a window (blue and red bills both use one).
SELECT place_code, bill_batch_code, count(*) AS used
FROM ebill.bill
WHERE ivc_date_time >= %(window_start)s
  AND ivc_date_time < %(window_end)s
GROUP BY place_code, bill_batch_code
