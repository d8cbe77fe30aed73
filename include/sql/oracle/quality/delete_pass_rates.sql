-- A re-run of a day replaces its pass rates.
DELETE FROM quality_pass_rate WHERE check_day = :check_day
