"""The sandbox hospital: a bill platform, HIS and finance platform on 127.0.0.1.

PostgreSQL for the databases, a finance-platform simulator, an SSH endpoint, an SMTP sink and an
application health endpoint, plus a deterministic data generator with a ground-truth manifest of
every anomaly it injects. One CLI: ``python -m sandbox up|seed|status|down``.
"""
