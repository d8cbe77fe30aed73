-- sandbox: db=bill role=ebill_ro
-- Estimated wasted space per table: its size now against what its rows need (row width from
-- pg_stats, tuple header 24 bytes, line pointer 4 bytes, fillfactor), and the dead rows waiting
-- for vacuum. An estimate without pgstattuple: enough to say where to look.
WITH widths AS (
    SELECT st.tablename, sum((1 - st.null_frac) * st.avg_width) AS row_width
    FROM pg_stats st
    WHERE st.schemaname = %(schema_name)s
    GROUP BY st.tablename
),
tables AS (
    SELECT n.nspname AS schema_name, c.relname AS table_name, c.reltuples, s.n_dead_tup,
           pg_relation_size(c.oid) AS table_bytes, w.row_width,
           coalesce((SELECT CAST(substr(o, 12) AS integer) FROM unnest(c.reloptions) o
                     WHERE substr(o, 1, 11) = 'fillfactor='), 100) AS fill_factor,
           CAST(current_setting('block_size') AS integer) AS block_size
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_stat_user_tables s ON s.relid = c.oid
    LEFT JOIN widths w ON w.tablename = c.relname
    WHERE n.nspname = %(schema_name)s AND c.relkind = 'r' AND c.reltuples >= 0
)
SELECT schema_name, table_name, CAST(NULL AS varchar) AS partition_name,
       CAST(reltuples AS bigint) AS num_rows, n_dead_tup AS dead_rows, table_bytes,
       CAST(ceil(reltuples / greatest(floor((block_size - 24) * fill_factor / 100.0
                                            / (28 + ceil(row_width / 8.0) * 8)), 1)) * block_size AS bigint)
           AS expected_bytes
FROM tables
ORDER BY table_bytes DESC
