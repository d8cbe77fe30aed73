-- sandbox: db=bill role=ebill_ro
-- PostgreSQL has no SCN: pg_dump's consistency comes from pg_export_snapshot (backup/pg.py). This
-- twin lets the Oracle Data Pump path run on the sandbox, where the export is canned.
SELECT CAST(0 AS bigint) AS scn
