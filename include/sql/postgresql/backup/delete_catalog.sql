DELETE FROM ebops.backup_catalog WHERE backup_date = %(backup_date)s AND method = %(method)s
