INSERT INTO yearend_readiness (target_year, check_id, title, passed, severity, detail, items, checked_at, run_id)
VALUES (:target_year, :check_id, :title, :passed, :severity, :detail, :items, :checked_at, :run_id)
