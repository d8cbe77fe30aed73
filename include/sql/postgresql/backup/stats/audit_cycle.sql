-- Figures of ebill.audit_cycle compared between the source (inside the dump's snapshot) and the test
-- restore: row count, and an order-independent hash of every row's text.
SELECT 'audit_cycle' AS table_name,
       count(*) AS row_count,
       CAST(NULL AS numeric) AS amount_total,
       CAST(sum(hashtextextended(CAST(t AS text), 0)) AS text) AS content_hash
FROM ebill.audit_cycle t
