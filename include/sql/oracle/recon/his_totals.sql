-- HIS totals per settlement day and dimension (Oracle): count, amount in cents (refunds negative),
-- amounts that are not numbers (counted, not summed). Same shape as the PostgreSQL file.
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
       COUNT(*) - COUNT(cents) AS bad_amounts
FROM (
    SELECT TRUNC(settle_time) AS biz_date,
           NVL(bus_type, '-') AS bus_type,
           NVL(pay_channel, '-') AS pay_channel,
           TO_CHAR(voucher_type) AS voucher_type,
           TO_CHAR(direction) AS direction,
           NVL(place_code, '-') AS place_code,
           CASE WHEN REGEXP_LIKE(TRIM(amount_text), '^[0-9]{1,13}([.][0-9]{1,2})?$')
                THEN direction * ROUND(TO_NUMBER(TRIM(amount_text)) * 100) END AS cents
    FROM settlement
    WHERE settle_time >= :window_start
      AND settle_time < :window_end
) rows_of_window
GROUP BY biz_date, GROUPING SETS ((), (bus_type), (pay_channel), (voucher_type), (direction), (place_code))
