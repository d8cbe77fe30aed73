-- Detail pass 2, HIS side: the settlements of the differing buckets (a JSON array of bucket
-- numbers), plus the rows without a busNo or with a channel outside %(known_channels)s (a JSON
-- array) wherever they are, ordered by bucket so that both sides stream through one merge. (An
-- amount that is not a number always makes its bucket differ: the platform's is a number.)
SELECT bucket, settle_id, bus_no, bus_type, place_code, settle_time, direction, state, amount_text,
       pay_channel, voucher_type, bill_batch_code, bill_no, check_code
FROM (
    SELECT CASE WHEN bus_no IS NULL THEN NULL
                WHEN %(hash)s = 'md5'
                THEN mod(('x' || substr(md5(bus_no), 1, 8))::bit(32)::bigint, %(nbuckets)s)::int
                ELSE hashtext(bus_no) & (%(nbuckets)s - 1) END AS bucket,
           settle_id, bus_no, bus_type, place_code, settle_time, direction, state, amount_text,
           pay_channel, voucher_type, bill_batch_code, bill_no, check_code
    FROM his.settlement
    WHERE settle_time >= %(window_start)s
      AND settle_time < %(window_end)s
) bucketed
WHERE bucket IN (SELECT (jsonb_array_elements_text(%(buckets)s::jsonb))::bigint)
   OR bus_no IS NULL
   OR pay_channel IS NULL
   OR pay_channel NOT IN (SELECT jsonb_array_elements_text(%(known_channels)s::jsonb))
ORDER BY bucket, bus_no, settle_id
