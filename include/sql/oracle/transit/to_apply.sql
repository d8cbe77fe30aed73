-- Ledger bills whose finance times bill does not carry yet.
SELECT bill_id, ivc_date_time, upload_time, supervise_time, archive_time, changed_at
FROM transit_bill
WHERE (supervise_time IS NOT NULL OR archive_time IS NOT NULL)
  AND (platform_applied_at IS NULL OR platform_applied_at <> changed_at)
ORDER BY ivc_date_time, bill_id
