-- The latest snapshot of a source taken for an earlier week (the baseline of this week's top SQL).
SELECT week_start, sql_id, calls, total_ms, rows_processed, logical_reads, disk_reads, temp_blocks, taken_at
FROM perf_sql_snapshot
WHERE source = :source
  AND week_start = (SELECT MAX(p.week_start) FROM perf_sql_snapshot p
                    WHERE p.source = :source AND p.week_start < :week_start)
