-- Detail pass 2, platform side (Oracle): live bills of the differing buckets and every live bill
-- without a busNo, ordered by bucket.
SELECT bucket, bill_id, bus_no, bus_type, place_code, bus_date_time, ivc_date_time, data_type, state,
       direction, total_amt, pay_channel, bill_batch_code, bill_no, check_code
FROM (
    SELECT CASE WHEN bus_no IS NULL THEN NULL
                WHEN :hash = 'md5'
                THEN MOD(TO_NUMBER(SUBSTR(RAWTOHEX(STANDARD_HASH(bus_no, 'MD5')), 1, 8), 'XXXXXXXX'), :nbuckets)
                ELSE ORA_HASH(bus_no, :nbuckets - 1) END AS bucket,
           bill_id, bus_no, bus_type, place_code, bus_date_time, ivc_date_time, data_type, state,
           direction, total_amt, pay_channel, bill_batch_code, bill_no, check_code
    FROM bill
    WHERE bus_date_time >= :bus_lo
      AND bus_date_time < :bus_hi
      AND ivc_date_time >= :ivc_lo
      AND ivc_date_time < :ivc_hi
      AND state IN (1, 3)
) bucketed
WHERE bucket IN (SELECT jb.b FROM JSON_TABLE(:buckets, '$[*]' COLUMNS (b NUMBER PATH '$')) jb)
   OR bus_no IS NULL
ORDER BY bucket, bus_no, bill_id
