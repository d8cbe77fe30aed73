DELETE FROM ebops.backup_table_check WHERE backup_date = %(backup_date)s AND method = %(method)s
