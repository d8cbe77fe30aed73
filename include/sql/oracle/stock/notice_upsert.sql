MERGE INTO stock_notice t
USING (SELECT :check_date AS check_date FROM dual) s
ON (t.check_date = s.check_date)
WHEN MATCHED THEN UPDATE SET t.severity = :severity, t.detail = :detail, t.mailed_at = :mailed_at
WHEN NOT MATCHED THEN INSERT (check_date, severity, detail, mailed_at)
    VALUES (:check_date, :severity, :detail, :mailed_at)
