-- Platform totals of live bills per day (:basis business or issue time) and dimension (Oracle).
SELECT biz_date,
       CASE WHEN GROUPING(bus_type) = 0 THEN 'bus_type'
            WHEN GROUPING(pay_channel) = 0 THEN 'pay_channel'
            WHEN GROUPING(voucher_type) = 0 THEN 'voucher_type'
            WHEN GROUPING(direction) = 0 THEN 'direction'
            WHEN GROUPING(place_code) = 0 THEN 'place_code'
            ELSE 'total' END AS dimension,
       CASE WHEN GROUPING(bus_type) = 0 THEN bus_type
            WHEN GROUPING(pay_channel) = 0 THEN pay_channel
            WHEN GROUPING(voucher_type) = 0 THEN voucher_type
            WHEN GROUPING(direction) = 0 THEN direction
            WHEN GROUPING(place_code) = 0 THEN place_code
            ELSE '*' END AS dim_value,
       COUNT(*) AS n,
       NVL(SUM(cents), 0) AS cents,
       0 AS bad_amounts
FROM (
    SELECT TRUNC(CASE WHEN :basis = 'issue' THEN ivc_date_time ELSE bus_date_time END) AS biz_date,
           NVL(bus_type, '-') AS bus_type,
           NVL(pay_channel, '-') AS pay_channel,
           CASE WHEN data_type IN (3, 4, 5) THEN '2' ELSE '1' END AS voucher_type,
           TO_CHAR(direction) AS direction,
           NVL(place_code, '-') AS place_code,
           direction * ROUND(total_amt * 100) AS cents
    FROM bill
    WHERE bus_date_time >= :bus_lo
      AND bus_date_time < :bus_hi
      AND ivc_date_time >= :ivc_lo
      AND ivc_date_time < :ivc_hi
      AND state IN (1, 3)
) rows_of_window
GROUP BY biz_date, GROUPING SETS ((), (bus_type), (pay_channel), (voucher_type), (direction), (place_code))
