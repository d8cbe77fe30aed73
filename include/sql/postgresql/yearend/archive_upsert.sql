INSERT INTO ebops.yearend_layout_archive (layout_root, archive_path, target_year, period, status, files,
    original_bytes, archive_bytes, archive_sha256, removed, problems, run_id, updated_at)
VALUES (%(layout_root)s, %(archive_path)s, %(target_year)s, %(period)s, %(status)s, %(files)s,
    %(original_bytes)s, %(archive_bytes)s, %(archive_sha256)s, %(removed)s, %(problems)s, %(run_id)s,
    %(updated_at)s)
ON CONFLICT (layout_root, archive_path) DO UPDATE SET target_year = EXCLUDED.target_year,
    period = EXCLUDED.period, status = EXCLUDED.status, files = EXCLUDED.files,
    original_bytes = EXCLUDED.original_bytes, archive_bytes = EXCLUDED.archive_bytes,
    archive_sha256 = EXCLUDED.archive_sha256, removed = EXCLUDED.removed, problems = EXCLUDED.problems,
    run_id = EXCLUDED.run_id, updated_at = EXCLUDED.updated_at
