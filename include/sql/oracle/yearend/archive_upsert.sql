MERGE INTO yearend_layout_archive t
USING (SELECT :layout_root AS layout_root, :archive_path AS archive_path FROM dual) s
ON (t.layout_root = s.layout_root AND t.archive_path = s.archive_path)
WHEN MATCHED THEN UPDATE SET t.target_year = :target_year, t.period = :period, t.status = :status,
    t.files = :files, t.original_bytes = :original_bytes, t.archive_bytes = :archive_bytes,
    t.archive_sha256 = :archive_sha256, t.removed = :removed, t.problems = :problems, t.run_id = :run_id,
    t.updated_at = :updated_at
WHEN NOT MATCHED THEN INSERT (layout_root, archive_path, target_year, period, status, files, original_bytes,
    archive_bytes, archive_sha256, removed, problems, run_id, updated_at)
    VALUES (:layout_root, :archive_path, :target_year, :period, :status, :files, :original_bytes,
    :archive_bytes, :archive_sha256, :removed, :problems, :run_id, :updated_at)
