-- Invoice quality: one row per bill of the window (by business time, plus bills issued in the
-- window whose business time is implausibly far: orphan_before / orphan_after) with what every
-- invoice-spec rule checks, computed in the database. Great Expectations validates these
-- columns (ebill_ops.quality.rules maps each rule to one column); the fix list reads the
-- identity and detail columns. Measures are NULL where a rule does not apply to the bill.
-- Items and payments are read through their primary key by bill id range: bill ids grow
-- with time on the platform, so the range holds the day's lines (correct either way).
-- red_until bounds the search for red bills that reverse the window's blue bills.
WITH bounds AS (
    SELECT min(w.bill_id + 0) AS lo, max(w.bill_id + 0) AS hi
    FROM ebill.bill w
    WHERE ((w.bus_date_time >= %(window_start)s AND w.bus_date_time < %(window_end)s)
           OR (w.ivc_date_time >= %(window_start)s AND w.ivc_date_time < %(window_end)s
               AND (w.bus_date_time < %(orphan_before)s OR w.bus_date_time >= %(orphan_after)s)))
),
items AS (
    SELECT i.bill_id,
           i.ivc_date_time,
           count(*) AS item_count,
           sum(i.amt) AS item_amt_sum,
           max(abs(coalesce(i.amt, 0) - round(coalesce(i.std, 0) * coalesce(i.number, 0), 2)))
               AS item_product_max_diff,
           min(i.sort_no) AS sort_min,
           max(i.sort_no) AS sort_max,
           CASE WHEN min(i.sort_no) = 1 AND max(i.sort_no) = count(*)
                     AND count(DISTINCT i.sort_no) = count(*) THEN 0 ELSE 1 END AS sort_sequence_broken,
           sum(CASE WHEN coalesce(i.amt, 0) = 0 THEN 1 ELSE 0 END) AS zero_amount_items,
           sum(CASE WHEN i.std < 0 THEN 1 ELSE 0 END) AS negative_price_items,
           sum(CASE WHEN coalesce(trim(i.charge_code), '') = '' THEN 1 ELSE 0 END) AS items_without_code
    FROM ebill.bill_item i
    WHERE i.bill_id BETWEEN (SELECT lo FROM bounds) AND (SELECT hi FROM bounds)
    GROUP BY i.bill_id, i.ivc_date_time
),
pays AS (
    SELECT p.bill_id, p.ivc_date_time, sum(p.pay_amt) AS channel_sum, count(*) AS channel_count
    FROM ebill.bill_payment p
    WHERE p.bill_id BETWEEN (SELECT lo FROM bounds) AND (SELECT hi FROM bounds)
    GROUP BY p.bill_id, p.ivc_date_time
),
blues AS (
    SELECT r.bill_id, count(*) AS blue_count, max(bl.total_amt) AS blue_amt
    FROM ebill.bill r
    JOIN ebill.bill bl
      ON bl.bill_batch_code = r.relate_bill_batch_code
     AND bl.bill_no = r.relate_bill_no
     AND bl.direction = 1
    WHERE r.direction = -1
      AND ((r.bus_date_time >= %(window_start)s AND r.bus_date_time < %(window_end)s)
           OR (r.ivc_date_time >= %(window_start)s AND r.ivc_date_time < %(window_end)s
               AND (r.bus_date_time < %(orphan_before)s OR r.bus_date_time >= %(orphan_after)s)))
    GROUP BY r.bill_id
),
reds AS (
    SELECT r.relate_bill_batch_code, r.relate_bill_no, count(*) AS red_count
    FROM ebill.bill r
    WHERE r.direction = -1
      AND r.ivc_date_time >= %(window_start)s
      AND r.ivc_date_time < %(red_until)s
    GROUP BY r.relate_bill_batch_code, r.relate_bill_no
)
SELECT b.bill_id,
       b.ivc_date_time,
       b.bus_date_time,
       b.bus_no,
       b.bus_type,
       b.place_code,
       b.bill_batch_code,
       b.bill_no,
       b.check_code,
       b.data_type,
       b.direction,
       b.relate_bill_batch_code,
       b.relate_bill_no,
       b.payer,
       b.hospital_no,
       b.patient_no,
       b.in_hospital_date,
       b.out_hospital_date,
       b.total_amt,
       b.fund_pay,
       b.account_pay,
       b.otherfund_pay,
       b.self_cash_pay,
       coalesce(b.bill_batch_code, '') AS code_text,
       coalesce(b.bill_no, '') AS number_text,
       coalesce(b.check_code, '') AS check_code_text,
       nullif(trim(b.payer), '') AS payer_name,
       extract(epoch FROM b.ivc_date_time - b.bus_date_time) AS issue_lag_seconds,
       CASE WHEN b.bus_type = '01' THEN
             (CASE WHEN coalesce(trim(b.hospital_no), '') = '' THEN 1 ELSE 0 END)
           + (CASE WHEN b.in_hospital_date IS NULL THEN 1 ELSE 0 END)
           + (CASE WHEN b.out_hospital_date IS NULL THEN 1 ELSE 0 END)
           + (CASE WHEN b.out_hospital_date < b.in_hospital_date THEN 1 ELSE 0 END)
       END AS inpatient_defects,
       CASE WHEN b.bus_type IN ('02', '03', '04') THEN
           CASE WHEN coalesce(trim(b.patient_no), '') = '' THEN 1 ELSE 0 END
       END AS outpatient_defects,
       b.total_amt - (b.fund_pay + b.account_pay + b.otherfund_pay + b.self_cash_pay) AS split_diff,
       pays.channel_sum,
       b.total_amt - coalesce(pays.channel_sum, 0) AS channel_diff,
       coalesce(items.item_count, 0) AS item_count,
       items.item_amt_sum,
       items.item_product_max_diff,
       items.sort_min,
       items.sort_max,
       items.sort_sequence_broken,
       items.zero_amount_items,
       items.negative_price_items,
       items.items_without_code,
       b.total_amt - coalesce(items.item_amt_sum, 0) AS items_diff,
       CASE WHEN b.direction = -1 THEN coalesce(blues.blue_count, 0) END AS blue_count,
       blues.blue_amt,
       CASE WHEN b.direction = -1 THEN b.total_amt - blues.blue_amt END AS red_blue_amount_diff,
       CASE WHEN b.direction = 1 THEN coalesce(reds.red_count, 0) END AS red_count
FROM ebill.bill b
LEFT JOIN items ON items.bill_id = b.bill_id AND items.ivc_date_time = b.ivc_date_time
LEFT JOIN pays ON pays.bill_id = b.bill_id AND pays.ivc_date_time = b.ivc_date_time
LEFT JOIN blues ON blues.bill_id = b.bill_id
LEFT JOIN reds ON reds.relate_bill_batch_code = b.bill_batch_code AND reds.relate_bill_no = b.bill_no
WHERE ((b.bus_date_time >= %(window_start)s AND b.bus_date_time < %(window_end)s)
      OR (b.ivc_date_time >= %(window_start)s AND b.ivc_date_time < %(window_end)s
          AND (b.bus_date_time < %(orphan_before)s OR b.bus_date_time >= %(orphan_after)s)))
