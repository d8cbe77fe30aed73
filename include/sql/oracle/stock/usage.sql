-- Numbers consumed per issuing point and bill code in a window (blue and red bills both use one).
SELECT place_code, bill_batch_code, COUNT(*) AS used
FROM bill
WHERE ivc_date_time >= :window_start
  AND ivc_date_time < :window_end
GROUP BY place_code, bill_batch_code
