-- Figures of ebill.bill compared between the source (inside the dump's snapshot) and the test
-- restore: row count, amount total, and an order-independent hash of every row's text.
SELECT 'bill' AS table_name,
       count(*) AS row_count,
       sum(t.total_amt) AS amount_total,
       CAST(sum(hashtextextended(CAST(t AS text), 0)) AS text) AS content_hash
FROM ebill.bill t
