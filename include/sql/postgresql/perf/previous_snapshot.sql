-- The latest snapshot of a source taken for an earlier week (the baseline of this week's top SQL).
SELECT week_start, sql_id, calls, total_ms, rows_processed, logical_reads, disk_reads, temp_blocks, taken_at
FROM ebops.perf_sql_snapshot
WHERE source = %(source)s
  AND week_start = (SELECT max(p.week_start) FROM ebops.perf_sql_snapshot p
                    WHERE p.source = %(source)s AND p.week_start < %(week_start)s)
