-- Record where a bill's layout file went (file_path stays: it is the member name in the archive).
-- sandbox: db=bill role=ebill_owner
UPDATE ebill.layout_file
SET archive_path = %(archive_path)s,
    archived_time = %(archived_time)s
WHERE bill_id = %(bill_id)s
  AND archive_path IS NULL
