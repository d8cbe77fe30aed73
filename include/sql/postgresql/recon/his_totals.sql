-- HIS totals per settlement day and dimension: count, amount in cents (refunds negative, by the
-- direction flag) and how many amounts were not numbers (counted, not summed). One row per day
-- and value of each dimension, plus a 'total' row per day.
SELECT biz_date,
       CASE WHEN grouping(bus_type) = 0 THEN 'bus_type'
            WHEN grouping(pay_channel) = 0 THEN 'pay_channel'
            WHEN grouping(voucher_type) = 0 THEN 'voucher_type'
            WHEN grouping(direction) = 0 THEN 'direction'
            WHEN grouping(place_code) = 0 THEN 'place_code'
            ELSE 'total' END AS dimension,
       CASE WHEN grouping(bus_type) = 0 THEN bus_type
            WHEN grouping(pay_channel) = 0 THEN pay_channel
            WHEN grouping(voucher_type) = 0 THEN voucher_type
            WHEN grouping(direction) = 0 THEN direction
            WHEN grouping(place_code) = 0 THEN place_code
            ELSE '*' END AS dim_value,
       count(*) AS n,
       coalesce(sum(cents), 0)::bigint AS cents,
       count(*) - count(cents) AS bad_amounts
FROM (
    SELECT settle_time::date AS biz_date,
           coalesce(bus_type, '-') AS bus_type,
           coalesce(pay_channel, '-') AS pay_channel,
           voucher_type::text AS voucher_type,
           direction::text AS direction,
           coalesce(place_code, '-') AS place_code,
           CASE WHEN btrim(amount_text) ~ '^[0-9]{1,13}([.][0-9]{1,2})?$'
                THEN direction * ((btrim(amount_text))::numeric * 100)::bigint END AS cents
    FROM his.settlement
    WHERE settle_time >= %(window_start)s
      AND settle_time < %(window_end)s
) rows_of_window
GROUP BY biz_date, GROUPING SETS ((), (bus_type), (pay_channel), (voucher_type), (direction), (place_code))
