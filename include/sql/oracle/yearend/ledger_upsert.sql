MERGE INTO yearend_statement t
USING (SELECT :target_year AS target_year, :step_id AS step_id, :statement_no AS statement_no FROM dual) s
ON (t.target_year = s.target_year AND t.step_id = s.step_id AND t.statement_no = s.statement_no)
WHEN MATCHED THEN UPDATE SET t.kind = :kind, t.object_name = :object_name, t.statement = :statement,
    t.status = :status, t.plan_digest = :plan_digest, t.run_id = :run_id, t.approved_by = :approved_by,
    t.updated_at = :updated_at, t.error = :error
WHEN NOT MATCHED THEN INSERT (target_year, step_id, statement_no, kind, object_name, statement, status,
    plan_digest, run_id, approved_by, updated_at, error)
    VALUES (:target_year, :step_id, :statement_no, :kind, :object_name, :statement, :status, :plan_digest,
    :run_id, :approved_by, :updated_at, :error)
