-- Detail pass 1, HIS side (Oracle): per hash bucket of busNo, the row count and the sum of 32-bit
-- row hashes; see the PostgreSQL file for the why. The row text must be built exactly as in
-- recon/platform_buckets. :hash 'native' (ORA_HASH, only comparable with another Oracle) or
-- 'md5' (STANDARD_HASH, 12c+: the same numbers as PostgreSQL's md5; all hashed text is ASCII, so
-- the database character set does not matter).
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
               || '|' || NVL(check_code, '~') || '|' || NVL(amount_text, '~')
               || '|' || TO_CHAR(direction) || '|' || TO_CHAR(state) || '|' || TO_CHAR(voucher_type)
               || '|' || NVL(bus_type, '~') || '|' || NVL(place_code, '~')
               || '|' || NVL(pay_channel, '~') || '|' || TO_CHAR(TRUNC(settle_time) - DATE '2000-01-01') AS r
        FROM settlement
        WHERE settle_time >= :window_start
          AND settle_time < :window_end
          AND bus_no IS NOT NULL
    ) rows_of_window
) hashed
GROUP BY bucket
