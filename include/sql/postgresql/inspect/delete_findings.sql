-- A check task replaces its own rows of the day (a re-run never duplicates).
DELETE FROM ebops.inspection_finding
WHERE check_date = %(check_date)s
  AND source = %(source)s
