-- sandbox: db=bill role=ebill_ro
-- Since when the statement statistics count (their last reset).
SELECT stats_reset AS since FROM pg_stat_statements_info
