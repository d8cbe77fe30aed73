"""Db, the one wrapper over the drivers: read-only must hold for the whole session on both engines."""

from __future__ import annotations

import pytest

from ebill_ops.db import Db
from tests.fakes import RecordingConnection


@pytest.mark.parametrize("end", ["commit", "rollback", "rollback_quietly"])
def test_an_oracle_read_only_session_begins_a_new_read_only_transaction_after_each_end(end):
    """Oracle has read-only transactions, not sessions: after a commit or rollback the next
    statement would run read-write unless SET TRANSACTION READ ONLY is issued again."""
    raw = RecordingConnection()
    db = Db(raw, "oracle", read_only=True)
    getattr(db, end)()
    assert raw.statements == ["COMMIT" if end == "commit" else "ROLLBACK", "SET TRANSACTION READ ONLY"]


@pytest.mark.parametrize(
    ("dialect", "read_only", "autocommit"),
    [("oracle", False, False), ("oracle", True, True), ("postgresql", True, False)],
)
def test_no_read_only_transaction_where_it_does_not_apply(dialect, read_only, autocommit):
    """A writable session, an autocommit one (each statement its own transaction) and PostgreSQL
    (``default_transaction_read_only`` lasts the session) need nothing after a rollback."""
    raw = RecordingConnection(autocommit=autocommit)
    Db(raw, dialect, read_only=read_only).rollback_quietly()
    assert raw.statements == ["ROLLBACK"]


def test_a_failing_rollback_is_not_raised_by_rollback_quietly():
    class Broken(RecordingConnection):
        def rollback(self):
            raise RuntimeError("connection lost")

    raw = Broken()
    Db(raw, "oracle", read_only=True).rollback_quietly()
    assert raw.statements == []
