-- Accesses and size per index of a schema. DBA_INDEX_USAGE (12.2+) tracks usage by sampling
-- and is flushed every 15 minutes: an index absent from it has not been seen in use.
SELECT i.owner AS schema_name, i.table_name, i.index_name,
       NVL(u.total_access_count, 0) AS scans,
       seg.bytes AS index_bytes,
       CASE WHEN i.uniqueness = 'UNIQUE' THEN 1 ELSE 0 END AS is_unique
FROM dba_indexes i
LEFT JOIN dba_index_usage u ON u.owner = i.owner AND u.name = i.index_name
LEFT JOIN (SELECT owner, segment_name, SUM(bytes) AS bytes
           FROM dba_segments
           WHERE owner = :schema_name
           GROUP BY owner, segment_name) seg
  ON seg.owner = i.owner AND seg.segment_name = i.index_name
WHERE i.owner = :schema_name AND i.index_type <> 'LOB'
ORDER BY seg.bytes DESC NULLS LAST
