"""The audit log records sign-ins and changes with the client address, and is append-only."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from tests.fixtures.server import ServerProcess
from tests.server.conftest import Api, api_for


def test_audit_lists_sign_ins_failures_and_changes(anon: Api) -> None:
    anon.post("/auth/login", {"username": "giamdoc", "password": "wrong"})
    leader = anon.login("giamdoc")
    leader.post("/documents/1/comments", {"text": "Ghi nhận"})
    rows = anon.login("quantri").get("/audit?limit=50").json()
    actions = [r["action"] for r in rows]
    assert {"auth.login_failed", "auth.login", "document.comment"} <= set(actions)
    login = next(
        r for r in rows if r["action"] == "auth.login" and r["user_id"] == leader.user["id"]
    )
    assert login["address"] == "127.0.0.1"
    failed = next(r for r in rows if r["action"] == "auth.login_failed")
    assert failed["target"] == "giamdoc"


def test_audit_rows_cannot_be_changed_or_deleted(any_db_server: ServerProcess) -> None:
    api_for(any_db_server).login("giamdoc")  # writes at least one audit row
    engine = create_engine(any_db_server.db_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM audit_events")).scalar()
        for statement in ("UPDATE audit_events SET action = 'forged'", "DELETE FROM audit_events"):
            with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
                conn.execute(text(statement))
        with engine.connect() as conn:
            actions = conn.execute(text("SELECT action FROM audit_events")).scalars().all()
            assert "forged" not in actions
    finally:
        engine.dispose()
