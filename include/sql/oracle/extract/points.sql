-- Issuing points, to check a requested point exists and to name it on the cover sheet.
SELECT place_code, place_name, active FROM issuing_point ORDER BY place_code
