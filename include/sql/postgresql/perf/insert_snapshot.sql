INSERT INTO ebops.perf_sql_snapshot (week_start, source, sql_id, calls, total_ms, rows_processed,
    logical_reads, disk_reads, temp_blocks, taken_at)
VALUES (%(week_start)s, %(source)s, %(sql_id)s, %(calls)s, %(total_ms)s, %(rows_processed)s,
    %(logical_reads)s, %(disk_reads)s, %(temp_blocks)s, %(taken_at)s)
