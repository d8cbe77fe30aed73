INSERT INTO transit_run (window_start, window_end, run_id, dry_run, found, carried_over, confirmed,
    uploaded, archived, rejected, gave_up, still_open, started_at, finished_at)
VALUES (:window_start, :window_end, :run_id, :dry_run, :found, :carried_over, :confirmed,
    :uploaded, :archived, :rejected, :gave_up, :still_open, :started_at, :finished_at)
