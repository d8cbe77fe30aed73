-- Figures of bill_item compared with what Data Pump exported and imported: row count, amount total.
-- Read AS OF the SCN the export is consistent at (FLASHBACK_SCN), so a live platform still matches.
-- No content hash in Oracle (RMAN VALIDATE checks block checksums instead).
SELECT 'bill_item' AS table_name,
       COUNT(*) AS row_count,
       SUM(amt) AS amount_total,
       CAST(NULL AS VARCHAR2(40)) AS content_hash
FROM bill_item AS OF SCN :scn
