-- Take a bill for one upload request, committed BEFORE the request is sent: a worker killed
-- afterwards leaves it "sending", and the next run asks finance instead of sending it again.
-- Only pending / rejected bills can be taken, so two runs never send the same bill.
UPDATE transit_bill
SET state = 'sending', claim_id = :claim_id, upload_attempts = upload_attempts + 1,
    last_attempt_at = :now
WHERE bill_id = :bill_id AND state IN ('pending', 'rejected')
