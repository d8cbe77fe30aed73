INSERT INTO ebops.yearend_statement (target_year, step_id, statement_no, kind, object_name, statement, status,
    plan_digest, run_id, approved_by, updated_at, error)
VALUES (%(target_year)s, %(step_id)s, %(statement_no)s, %(kind)s, %(object_name)s, %(statement)s, %(status)s,
    %(plan_digest)s, %(run_id)s, %(approved_by)s, %(updated_at)s, %(error)s)
ON CONFLICT (target_year, step_id, statement_no) DO UPDATE SET kind = EXCLUDED.kind,
    object_name = EXCLUDED.object_name, statement = EXCLUDED.statement, status = EXCLUDED.status,
    plan_digest = EXCLUDED.plan_digest, run_id = EXCLUDED.run_id, approved_by = EXCLUDED.approved_by,
    updated_at = EXCLUDED.updated_at, error = EXCLUDED.error
