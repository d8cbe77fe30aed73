INSERT INTO ebops.inspection_finding (check_date, category, check_name, target, source, value, raw_value, unit,
    threshold, severity, advice, detail, observed_at)
VALUES (%(check_date)s, %(category)s, %(check_name)s, %(target)s, %(source)s, %(value)s, %(raw_value)s, %(unit)s,
    %(threshold)s, %(severity)s, %(advice)s, %(detail)s, %(observed_at)s)
ON CONFLICT (check_date, category, check_name, target) DO UPDATE SET
    source = EXCLUDED.source, value = EXCLUDED.value, raw_value = EXCLUDED.raw_value, unit = EXCLUDED.unit,
    threshold = EXCLUDED.threshold, severity = EXCLUDED.severity, advice = EXCLUDED.advice,
    detail = EXCLUDED.detail, observed_at = EXCLUDED.observed_at
