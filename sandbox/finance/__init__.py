"""The finance-platform simulator: a signed-envelope HTTP API over PostgreSQL state, with faults.

``server.serve(settings)`` runs it; ``state`` switches faults and reads counters by direct SQL.
See docs/finance-simulator.md.
"""
