DELETE FROM backup_catalog WHERE backup_date = :backup_date AND method = :method
