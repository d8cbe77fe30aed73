UPDATE ebops.backup_catalog
SET status = %(status)s, verified_at = %(verified_at)s, verdict = %(verdict)s
WHERE backup_date = %(backup_date)s AND method = %(method)s
