INSERT INTO ebops.perf_finding (week_start, source, category, target, severity, rank_no, value, unit,
    threshold, detail, advice, facts, observed_at)
VALUES (%(week_start)s, %(source)s, %(category)s, %(target)s, %(severity)s, %(rank_no)s, %(value)s, %(unit)s,
    %(threshold)s, %(detail)s, %(advice)s, %(facts)s, %(observed_at)s)
