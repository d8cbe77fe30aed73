-- Bill codes (票据代码) of the current and the target year: next year's base data.
SELECT bill_batch_code, bill_name, bill_year, valid_from, valid_to
FROM bill_code
WHERE bill_year IN (:current_year, :target_year)
ORDER BY bill_year, bill_batch_code
