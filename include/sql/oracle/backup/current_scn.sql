-- The SCN the Data Pump export is consistent at (FLASHBACK_SCN) and the source figures are read as of.
SELECT current_scn AS scn
FROM v$database
