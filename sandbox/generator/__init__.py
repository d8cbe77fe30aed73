"""Deterministic data generator of the sandbox hospital, with a ground-truth anomaly manifest."""
