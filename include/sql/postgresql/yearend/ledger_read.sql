SELECT target_year, step_id, statement_no, kind, object_name, statement, status, plan_digest, run_id,
       approved_by, updated_at, error
FROM ebops.yearend_statement
WHERE target_year = %(target_year)s
ORDER BY updated_at, step_id, statement_no
