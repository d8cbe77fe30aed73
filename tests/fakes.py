"""Stand-ins for what cannot run here. Oracle has no server on this machine: a recording
DB-API connection shows what our code asks an Oracle session to run."""

from __future__ import annotations


class RecordingConnection:
    """Just enough of a python-oracledb connection: records every statement, commit and rollback;
    a statement containing ``fail_on`` fails as a missing grant does (ORA-00942)."""

    def __init__(self, *, autocommit: bool = False, fail_on: str = ""):
        self.autocommit = autocommit
        self.call_timeout = 0
        self.statements: list[str] = []
        self.fail_on = fail_on.lower()

    def cursor(self):
        conn = self

        class Cursor:
            description = None
            rowcount = 0

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                return False

            def execute(self, text, params=None):
                conn.statements.append(" ".join(text.split()))
                if conn.fail_on and conn.fail_on in text.lower():
                    raise RuntimeError("ORA-00942: table or view does not exist")

            def fetchall(self):
                return []

        return Cursor()

    def commit(self):
        self.statements.append("COMMIT")

    def rollback(self):
        self.statements.append("ROLLBACK")

    def close(self):
        pass
