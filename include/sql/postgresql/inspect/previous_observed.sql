-- When a source was last inspected before this date: "since the last run" for alert logs and jobs.
SELECT max(observed_at) AS observed_at
FROM ebops.inspection_finding
WHERE source = %(source)s
  AND check_date < %(check_date)s
