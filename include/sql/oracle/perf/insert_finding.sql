INSERT INTO perf_finding (week_start, source, category, target, severity, rank_no, value, unit,
    threshold, detail, advice, facts, observed_at)
VALUES (:week_start, :source, :category, :target, :severity, :rank_no, :value, :unit,
    :threshold, :detail, :advice, :facts, :observed_at)
