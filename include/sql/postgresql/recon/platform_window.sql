-- Live bills with a busNo in a time range, with their bucket (as in recon/platform_rows): the
-- bills just outside a window's edges, which still belong to a settlement inside it (a second
-- bill issued minutes after midnight).
SELECT CASE WHEN %(hash)s = 'md5'
            THEN mod(('x' || substr(md5(bus_no), 1, 8))::bit(32)::bigint, %(nbuckets)s)::int
            ELSE hashtext(bus_no) & (%(nbuckets)s - 1) END AS bucket,
       bill_id, bus_no, bus_type, place_code, bus_date_time, ivc_date_time,
       data_type, state, direction, total_amt, pay_channel, bill_batch_code, bill_no, check_code
FROM ebill.bill
WHERE bus_date_time >= %(bus_lo)s
  AND bus_date_time < %(bus_hi)s
  AND ivc_date_time >= %(ivc_lo)s
  AND ivc_date_time < %(ivc_hi)s
  AND state IN (1, 3)
  AND bus_no IS NOT NULL
