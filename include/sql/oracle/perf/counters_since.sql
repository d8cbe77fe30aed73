-- Since when the segment and index counters count at the most: V$SEGMENT_STATISTICS restarts
-- with the instance (DBA_INDEX_USAGE keeps longer, which only makes "no use since" stronger).
SELECT startup_time AS since FROM v$instance
