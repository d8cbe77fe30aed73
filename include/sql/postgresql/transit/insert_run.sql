INSERT INTO ebops.transit_run (window_start, window_end, run_id, dry_run, found, carried_over, confirmed,
    uploaded, archived, rejected, gave_up, still_open, started_at, finished_at)
VALUES (%(window_start)s, %(window_end)s, %(run_id)s, %(dry_run)s, %(found)s, %(carried_over)s, %(confirmed)s,
    %(uploaded)s, %(archived)s, %(rejected)s, %(gave_up)s, %(still_open)s, %(started_at)s, %(finished_at)s)
