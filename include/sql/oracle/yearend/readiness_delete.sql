DELETE FROM yearend_readiness WHERE target_year = :target_year
