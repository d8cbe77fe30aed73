-- Figures of issuing_point compared with what Data Pump exported and imported: row count.
-- Read AS OF the SCN the export is consistent at (FLASHBACK_SCN), so a live platform still matches.
-- No content hash in Oracle (RMAN VALIDATE checks block checksums instead).
SELECT 'issuing_point' AS table_name,
       COUNT(*) AS row_count,
       CAST(NULL AS NUMBER) AS amount_total,
       CAST(NULL AS VARCHAR2(40)) AS content_hash
FROM issuing_point AS OF SCN :scn
