-- A re-run of a day replaces its pass rates.
DELETE FROM ebops.quality_pass_rate WHERE check_day = %(check_day)s
