-- When a source was last inspected before this date: "since the last run" for alert logs and jobs.
SELECT MAX(observed_at) AS observed_at
FROM inspection_finding
WHERE source = :source
  AND check_date < :check_date
