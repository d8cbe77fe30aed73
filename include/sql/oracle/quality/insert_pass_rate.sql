INSERT INTO quality_pass_rate (check_day, rule_id, severity, source, bills, checked, failed, pass_rate, status, engine, data_docs_url,
    run_id, computed_at)
VALUES (:check_day, :rule_id, :severity, :source, :bills, :checked, :failed, :pass_rate,
    :status, :engine, :data_docs_url, :run_id, :computed_at)
