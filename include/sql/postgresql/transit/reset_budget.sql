-- A person asks for given-up bills of a window to be tried again (trigger param reset_budget).
UPDATE ebops.transit_bill
SET state = 'pending', rejections = 0, alerted_at = NULL, checked_at = NULL
WHERE state = 'gave_up' AND ivc_date_time >= %(window_start)s AND ivc_date_time < %(window_end)s
