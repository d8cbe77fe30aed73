-- Ledger bills of a window by state (for the run's summary).
SELECT state, COUNT(*) AS bills
FROM transit_bill
WHERE ivc_date_time >= :window_start AND ivc_date_time < :window_end
GROUP BY state
