"""Daily inspection (日常巡检): hosts over SSH, the database, middleware and application health.

Each check turns what it measured into ``Finding`` rows (target, value, threshold, severity,
advice); findings go to ``ebops.inspection_finding``, one HTML report per run is kept and
mailed, and critical findings alert at once through ``ebill_ops.alerts`` (one mail per incident).
"""
