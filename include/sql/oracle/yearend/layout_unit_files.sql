-- The unarchived layout files of one period [period_start, period_end).
SELECT bill_id, file_path, size_bytes, sha256
FROM layout_file
WHERE ivc_date >= :period_start
  AND ivc_date < :period_end
  AND archive_path IS NULL
ORDER BY file_path
