-- Detail pass 2, platform side: the live bills of the differing buckets (a JSON array of bucket
-- numbers) and every live bill without a busNo, ordered by bucket (merged with recon/his_rows).
SELECT bucket, bill_id, bus_no, bus_type, place_code, bus_date_time, ivc_date_time, data_type, state,
       direction, total_amt, pay_channel, bill_batch_code, bill_no, check_code
FROM (
    SELECT CASE WHEN bus_no IS NULL THEN NULL
                WHEN %(hash)s = 'md5'
                THEN mod(('x' || substr(md5(bus_no), 1, 8))::bit(32)::bigint, %(nbuckets)s)::int
                ELSE hashtext(bus_no) & (%(nbuckets)s - 1) END AS bucket,
           bill_id, bus_no, bus_type, place_code, bus_date_time, ivc_date_time, data_type, state,
           direction, total_amt, pay_channel, bill_batch_code, bill_no, check_code
    FROM ebill.bill
    WHERE bus_date_time >= %(bus_lo)s
      AND bus_date_time < %(bus_hi)s
      AND ivc_date_time >= %(ivc_lo)s
      AND ivc_date_time < %(ivc_hi)s
      AND state IN (1, 3)
) bucketed
WHERE bucket IN (SELECT (jsonb_array_elements_text(%(buckets)s::jsonb))::bigint)
   OR bus_no IS NULL
ORDER BY bucket, bus_no, bill_id
