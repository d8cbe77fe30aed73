-- Since when V$SQLSTATS counts at the most (the instance start; statements may age out sooner).
SELECT startup_time AS since FROM v$instance
