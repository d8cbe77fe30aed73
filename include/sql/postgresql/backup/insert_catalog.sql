INSERT INTO ebops.backup_catalog (backup_date, method, file_url, size_bytes, sha256, started_at, finished_at,
    status, verified_at, verdict, source_stats, removed_at)
VALUES (%(backup_date)s, %(method)s, %(file_url)s, %(size_bytes)s, %(sha256)s, %(started_at)s, %(finished_at)s,
    %(status)s, NULL, %(verdict)s, %(source_stats)s, NULL)
