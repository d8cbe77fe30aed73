-- Oracle has no pg_hba.conf: where accounts may log in from is sqlnet.ora and the listener, which
-- SQL cannot read; authentication parameters are in security/db_auth_settings. Returns no rows,
-- with the columns of the PostgreSQL query.
SELECT CAST(NULL AS NUMBER) AS line_number, CAST(NULL AS VARCHAR2(20)) AS conn_type,
       CAST(NULL AS VARCHAR2(400)) AS databases, CAST(NULL AS VARCHAR2(400)) AS users,
       CAST(NULL AS VARCHAR2(100)) AS address, CAST(NULL AS VARCHAR2(40)) AS auth_method,
       CAST(NULL AS VARCHAR2(400)) AS error
FROM dual
WHERE 1 = 0
