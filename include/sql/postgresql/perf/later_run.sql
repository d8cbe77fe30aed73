-- The first week after this one whose report is recorded: when there is one, the database views
-- (which show the database now) belong to that later week, not to this one.
SELECT min(week_start) AS later_week FROM ebops.perf_run WHERE week_start > %(week_start)s
