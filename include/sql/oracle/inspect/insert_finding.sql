MERGE INTO inspection_finding t
USING (SELECT :check_date AS check_date, :category AS category, :check_name AS check_name, :target AS target FROM dual) s
ON (t.check_date = s.check_date AND t.category = s.category AND t.check_name = s.check_name AND t.target = s.target)
WHEN MATCHED THEN UPDATE SET
    t.source = :source, t.value = :value, t.raw_value = :raw_value, t.unit = :unit, t.threshold = :threshold,
    t.severity = :severity, t.advice = :advice, t.detail = :detail, t.observed_at = :observed_at
WHEN NOT MATCHED THEN INSERT (check_date, category, check_name, target, source, value, raw_value, unit, threshold,
    severity, advice, detail, observed_at)
VALUES (s.check_date, s.category, s.check_name, s.target, :source, :value, :raw_value, :unit, :threshold,
    :severity, :advice, :detail, :observed_at)
