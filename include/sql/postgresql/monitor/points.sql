-- Issuing points, to name the workstation of a local fault.
SELECT place_code, place_name, host_name FROM ebill.issuing_point
