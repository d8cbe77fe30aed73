-- The unarchived layout files of one period [period_start, period_end).
SELECT bill_id, file_path, size_bytes, sha256
FROM ebill.layout_file
WHERE ivc_date >= %(period_start)s
  AND ivc_date < %(period_end)s
  AND archive_path IS NULL
ORDER BY file_path
