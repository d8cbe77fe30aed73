UPDATE ebops.backup_catalog
SET removed_at = %(removed_at)s, status = CASE WHEN status = 'verified' THEN 'expired' ELSE status END
WHERE backup_date = %(backup_date)s AND method = %(method)s
