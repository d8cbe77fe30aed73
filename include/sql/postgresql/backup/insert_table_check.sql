INSERT INTO ebops.backup_table_check (backup_date, method, table_name, source_rows, restored_rows, source_amount,
    restored_amount, source_hash, restored_hash, matches, checked_at)
VALUES (%(backup_date)s, %(method)s, %(table_name)s, %(source_rows)s, %(restored_rows)s, %(source_amount)s,
    %(restored_amount)s, %(source_hash)s, %(restored_hash)s, %(matches)s, %(checked_at)s)
