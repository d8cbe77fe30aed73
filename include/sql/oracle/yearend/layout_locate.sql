-- Where a bill's layout file is: on its own, or inside an archive.
SELECT bill_id, bill_batch_code, bill_no, file_type, file_path, archive_path, archived_time, sha256
FROM layout_file
WHERE bill_id = :bill_id
