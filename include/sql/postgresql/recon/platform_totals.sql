-- Platform totals of live bills per day (business or issue time, %(basis)s) and dimension:
-- count and amount in cents, red bills negative by the direction flag. Same shape as his_totals.
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
       0 AS bad_amounts
FROM (
    SELECT (CASE WHEN %(basis)s = 'issue' THEN ivc_date_time ELSE bus_date_time END)::date AS biz_date,
           coalesce(bus_type, '-') AS bus_type,
           coalesce(pay_channel, '-') AS pay_channel,
           CASE WHEN data_type IN (3, 4, 5) THEN '2' ELSE '1' END AS voucher_type,
           direction::text AS direction,
           coalesce(place_code, '-') AS place_code,
           direction * (total_amt * 100)::bigint AS cents
    FROM ebill.bill
    WHERE bus_date_time >= %(bus_lo)s
      AND bus_date_time < %(bus_hi)s
      AND ivc_date_time >= %(ivc_lo)s
      AND ivc_date_time < %(ivc_hi)s
      AND state IN (1, 3)
) rows_of_window
GROUP BY biz_date, GROUPING SETS ((), (bus_type), (pay_channel), (voucher_type), (direction), (place_code))
