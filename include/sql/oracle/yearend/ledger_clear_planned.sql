DELETE FROM yearend_statement WHERE target_year = :target_year AND status = 'planned'
