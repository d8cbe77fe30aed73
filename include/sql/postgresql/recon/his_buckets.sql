-- Detail pass 1, HIS side: per hash bucket of busNo, the row count and the sum of 31-bit row
-- hashes. A bucket that sums the same on both sides holds the same rows (a differing bucket looks
-- equal with probability ~2^-31), so only differing buckets are fetched (recon/his_rows).
-- The row hash covers busNo, bill code + number, check code, amount text, direction, state,
-- voucher type, business type, issuing point, channel and day, exactly as recon/platform_buckets.
-- 'native' XORs one seeded hash per column (no text is built: this is the hot loop, ~1 µs a row
-- cheaper than hashing a concatenation); 'md5' hashes the concatenated text, the same number
-- Oracle's STANDARD_HASH gives (HIS and platform on different engines).
-- The amount is hashed as HIS writes it: text other than the platform's "123.40" only costs a
-- fetch (Python compares values), never a missed difference.
SELECT bucket, count(*) AS n, mod(sum(h), 2147483647) AS s
FROM (
    SELECT CASE WHEN %(hash)s = 'md5'
                THEN mod(('x' || substr(md5(bus_no), 1, 8))::bit(32)::bigint, %(nbuckets)s)::int
                ELSE hashtext(bus_no) & (%(nbuckets)s - 1) END AS bucket,
           CASE WHEN %(hash)s = 'md5'
                THEN ('x' || substr(md5(bus_no || '|' || coalesce(bill_batch_code, '~') || '|' || coalesce(bill_no, '~')
                         || '|' || coalesce(check_code, '~') || '|' || coalesce(amount_text, '~')
                         || '|' || direction || '|' || state || '|' || voucher_type
                         || '|' || coalesce(bus_type, '~') || '|' || coalesce(place_code, '~')
                         || '|' || coalesce(pay_channel, '~') || '|' || (settle_time::date - DATE '2000-01-01')), 1, 8))::bit(32)::int & 2147483647
                ELSE ((hashtextextended(bus_no, 1) # hashtextextended(coalesce(bill_batch_code, '~'), 2)
                      # hashtextextended(coalesce(bill_no, '~'), 3) # hashtextextended(coalesce(check_code, '~'), 4)
                      # hashtextextended(coalesce(amount_text, '~'), 5) # hashtextextended(coalesce(bus_type, '~'), 7)
                      # hashtextextended(coalesce(place_code, '~'), 8) # hashtextextended(coalesce(pay_channel, '~'), 9)
                      # hashint8extended(((((settle_time::date - DATE '2000-01-01')) * 8 + direction + 1) * 8 + state) * 8 + voucher_type, 6)
                     ) & 2147483647)::int END AS h
        FROM his.settlement
        WHERE settle_time >= %(window_start)s
          AND settle_time < %(window_end)s
          AND bus_no IS NOT NULL
) hashed
GROUP BY bucket
