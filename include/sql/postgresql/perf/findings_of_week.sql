SELECT source, category, target, severity, rank_no, value, unit, threshold, detail, advice, facts, observed_at
FROM ebops.perf_finding
WHERE week_start = %(week_start)s
ORDER BY source, category, rank_no, target
