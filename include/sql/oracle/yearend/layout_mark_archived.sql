-- Record where a bill's layout file went (file_path stays: it is the member name in the archive).
UPDATE layout_file
SET archive_path = :archive_path,
    archived_time = :archived_time
WHERE bill_id = :bill_id
  AND archive_path IS NULL
