-- Detail pass 1, platform side: per hash bucket of busNo, the live bills' count and the sum of
-- 31-bit row hashes, computed exactly as in recon/his_buckets (amount as numeric(16,2) text
-- "123.40", voucher 1 e-bill / 2 paper, day of the basis time, %(basis)s 'business' | 'issue').
-- The window bounds both times: the basis time to the window, the other loosely (Oracle prunes
-- the yearly partitions of the issue time).
SELECT bucket, count(*) AS n, mod(sum(h), 2147483647) AS s
FROM (
    SELECT CASE WHEN %(hash)s = 'md5'
                THEN mod(('x' || substr(md5(bus_no), 1, 8))::bit(32)::bigint, %(nbuckets)s)::int
                ELSE hashtext(bus_no) & (%(nbuckets)s - 1) END AS bucket,
           CASE WHEN %(hash)s = 'md5'
                THEN ('x' || substr(md5(bus_no || '|' || coalesce(bill_batch_code, '~') || '|' || coalesce(bill_no, '~')
                         || '|' || coalesce(check_code, '~') || '|' || total_amt::text
                         || '|' || direction || '|' || state || '|' || (CASE WHEN data_type IN (3, 4, 5) THEN 2 ELSE 1 END)
                         || '|' || coalesce(bus_type, '~') || '|' || coalesce(place_code, '~')
                         || '|' || coalesce(pay_channel, '~') || '|' || ((CASE WHEN %(basis)s = 'issue' THEN ivc_date_time ELSE bus_date_time END)::date - DATE '2000-01-01')), 1, 8))::bit(32)::int & 2147483647
                ELSE ((hashtextextended(bus_no, 1) # hashtextextended(coalesce(bill_batch_code, '~'), 2)
                      # hashtextextended(coalesce(bill_no, '~'), 3) # hashtextextended(coalesce(check_code, '~'), 4)
                      # hashtextextended(total_amt::text, 5) # hashtextextended(coalesce(bus_type, '~'), 7)
                      # hashtextextended(coalesce(place_code, '~'), 8) # hashtextextended(coalesce(pay_channel, '~'), 9)
                      # hashint8extended((((((CASE WHEN %(basis)s = 'issue' THEN ivc_date_time ELSE bus_date_time END)::date - DATE '2000-01-01')) * 8 + direction + 1) * 8 + state) * 8 + (CASE WHEN data_type IN (3, 4, 5) THEN 2 ELSE 1 END), 6)
                     ) & 2147483647)::int END AS h
        FROM ebill.bill
        WHERE bus_date_time >= %(bus_lo)s
          AND bus_date_time < %(bus_hi)s
          AND ivc_date_time >= %(ivc_lo)s
          AND ivc_date_time < %(ivc_hi)s
          AND state IN (1, 3)
          AND bus_no IS NOT NULL
) hashed
GROUP BY bucket
