-- sandbox: db=bill role=ebill_ro
-- Size of the inspected database (growth is judged against the previous inspection).
SELECT current_database() AS database_name,
       round(pg_database_size(current_database()) / 1048576.0, 1) AS size_mb
