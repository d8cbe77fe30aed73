INSERT INTO ebops.quality_pass_rate (check_day, rule_id, severity, source, bills, checked, failed, pass_rate, status, engine, data_docs_url,
    run_id, computed_at)
VALUES (%(check_day)s, %(rule_id)s, %(severity)s, %(source)s, %(bills)s, %(checked)s, %(failed)s, %(pass_rate)s,
    %(status)s, %(engine)s, %(data_docs_url)s, %(run_id)s, %(computed_at)s)
