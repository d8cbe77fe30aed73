-- A core table as Data Pump names it (partitions are exported with their table).
SELECT owner || '.' || table_name AS relation
FROM all_tables
WHERE owner = UPPER(:schema_name)
  AND table_name = UPPER(:table_name)
