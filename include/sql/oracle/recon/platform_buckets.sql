-- Detail pass 1, platform side (Oracle): per hash bucket of busNo, the live bills' count and the
-- sum of 32-bit row hashes. The row text must be built exactly as in recon/his_buckets; the
-- amount is formatted like PostgreSQL's numeric(16,2) text ("123.40", "0.50").
SELECT bucket, COUNT(*) AS n, MOD(SUM(h), 2147483647) AS s
FROM (
    SELECT CASE WHEN :hash = 'md5'
                THEN MOD(TO_NUMBER(SUBSTR(RAWTOHEX(STANDARD_HASH(bus_no, 'MD5')), 1, 8), 'XXXXXXXX'), :nbuckets)
                ELSE ORA_HASH(bus_no, :nbuckets - 1) END AS bucket,
           CASE WHEN :hash = 'md5'
                THEN MOD(TO_NUMBER(SUBSTR(RAWTOHEX(STANDARD_HASH(r, 'MD5')), 1, 8), 'XXXXXXXX'), 2147483648)
                ELSE ORA_HASH(r) END AS h
    FROM (
        SELECT bus_no,
               bus_no || '|' || NVL(bill_batch_code, '~') || '|' || NVL(bill_no, '~')
               || '|' || NVL(check_code, '~') || '|' || TO_CHAR(total_amt, 'FM9999999999999990.00')
               || '|' || TO_CHAR(direction) || '|' || TO_CHAR(state)
               || '|' || CASE WHEN data_type IN (3, 4, 5) THEN '2' ELSE '1' END
               || '|' || NVL(bus_type, '~') || '|' || NVL(place_code, '~')
               || '|' || NVL(pay_channel, '~')
               || '|' || TO_CHAR(TRUNC(CASE WHEN :basis = 'issue' THEN ivc_date_time ELSE bus_date_time END)
                                 - DATE '2000-01-01') AS r
        FROM bill
        WHERE bus_date_time >= :bus_lo
          AND bus_date_time < :bus_hi
          AND ivc_date_time >= :ivc_lo
          AND ivc_date_time < :ivc_hi
          AND state IN (1, 3)
          AND bus_no IS NOT NULL
    ) rows_of_window
) hashed
GROUP BY bucket
