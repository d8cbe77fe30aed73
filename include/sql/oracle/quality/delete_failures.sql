-- A re-run of a day replaces its failing bills.
DELETE FROM quality_failure WHERE check_day = :check_day
