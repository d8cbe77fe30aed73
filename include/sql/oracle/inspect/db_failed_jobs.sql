-- Scheduler jobs (application jobs and the automatic maintenance tasks) that did not succeed
-- since the last inspection.
SELECT owner || '.' || job_name AS job_name,
       COUNT(*) AS failures,
       MAX(log_date) AS last_run,
       MAX(error#) AS last_error
FROM dba_scheduler_job_run_details
WHERE log_date >= :since
  AND status <> 'SUCCEEDED'
GROUP BY owner, job_name
ORDER BY failures DESC
