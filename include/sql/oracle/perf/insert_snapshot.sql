INSERT INTO perf_sql_snapshot (week_start, source, sql_id, calls, total_ms, rows_processed,
    logical_reads, disk_reads, temp_blocks, taken_at)
VALUES (:week_start, :source, :sql_id, :calls, :total_ms, :rows_processed,
    :logical_reads, :disk_reads, :temp_blocks, :taken_at)
