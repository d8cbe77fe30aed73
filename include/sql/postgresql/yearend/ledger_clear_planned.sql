DELETE FROM ebops.yearend_statement WHERE target_year = %(target_year)s AND status = 'planned'
