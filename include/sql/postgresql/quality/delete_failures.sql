-- A re-run of a day replaces its failing bills.
DELETE FROM ebops.quality_failure WHERE check_day = %(check_day)s
