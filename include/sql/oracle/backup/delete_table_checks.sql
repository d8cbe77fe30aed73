DELETE FROM backup_table_check WHERE backup_date = :backup_date AND method = :method
