INSERT INTO backup_table_check (backup_date, method, table_name, source_rows, restored_rows, source_amount,
    restored_amount, source_hash, restored_hash, matches, checked_at)
VALUES (:backup_date, :method, :table_name, :source_rows, :restored_rows, :source_amount,
    :restored_amount, :source_hash, :restored_hash, :matches, :checked_at)
