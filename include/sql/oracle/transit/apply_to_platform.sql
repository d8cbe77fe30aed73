-- Record the repair on the bill platform: the only write ebill-ops makes there (column grant on
-- upload_time, supervise_time, archive_time). Existing values are never overwritten.
UPDATE bill
SET upload_time = COALESCE(upload_time, :upload_time, :supervise_time),
    supervise_time = COALESCE(supervise_time, :supervise_time),
    archive_time = COALESCE(archive_time, :archive_time)
WHERE bill_id = :bill_id AND ivc_date_time = :ivc_date_time
  AND (upload_time IS NULL OR supervise_time IS NULL OR archive_time IS NULL)
