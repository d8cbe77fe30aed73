-- Detail pass 2, HIS side (Oracle): settlements of the differing buckets (:buckets, a JSON array,
-- bound as a CLOB), plus rows without a busNo or with a channel outside :known_channels.
SELECT bucket, settle_id, bus_no, bus_type, place_code, settle_time, direction, state, amount_text,
       pay_channel, voucher_type, bill_batch_code, bill_no, check_code
FROM (
    SELECT CASE WHEN bus_no IS NULL THEN NULL
                WHEN :hash = 'md5'
                THEN MOD(TO_NUMBER(SUBSTR(RAWTOHEX(STANDARD_HASH(bus_no, 'MD5')), 1, 8), 'XXXXXXXX'), :nbuckets)
                ELSE ORA_HASH(bus_no, :nbuckets - 1) END AS bucket,
           settle_id, bus_no, bus_type, place_code, settle_time, direction, state, amount_text,
           pay_channel, voucher_type, bill_batch_code, bill_no, check_code
    FROM settlement
    WHERE settle_time >= :window_start
      AND settle_time < :window_end
) bucketed
WHERE bucket IN (SELECT jb.b FROM JSON_TABLE(:buckets, '$[*]' COLUMNS (b NUMBER PATH '$')) jb)
   OR bus_no IS NULL
   OR pay_channel IS NULL
   OR pay_channel NOT IN (SELECT jc.c FROM JSON_TABLE(:known_channels, '$[*]' COLUMNS (c VARCHAR2(4) PATH '$')) jc)
ORDER BY bucket, bus_no, settle_id
