DELETE FROM ebops.yearend_readiness WHERE target_year = %(target_year)s
