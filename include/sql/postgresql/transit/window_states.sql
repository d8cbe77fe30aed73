-- Ledger bills of a window by state (for the run's summary).
SELECT state, COUNT(*) AS bills
FROM ebops.transit_bill
WHERE ivc_date_time >= %(window_start)s AND ivc_date_time < %(window_end)s
GROUP BY state
