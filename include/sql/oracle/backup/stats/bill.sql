-- Figures of bill compared with what Data Pump exported and imported: row count, amount total.
-- No content hash in Oracle (RMAN VALIDATE checks block checksums instead).
SELECT 'bill' AS table_name,
       COUNT(*) AS row_count,
       SUM(total_amt) AS amount_total,
       CAST(NULL AS VARCHAR2(40)) AS content_hash
FROM bill
