"""The server starts, seeds, and answers the contract's basic reads."""

from __future__ import annotations

from tests.fixtures.server import ServerProcess
from tests.server.conftest import Api, api_for


def test_health_and_login_on_each_database(any_db_server: ServerProcess) -> None:
    api = api_for(any_db_server)
    health = api.get("/health")
    assert health.status == 200
    assert health.json()["status"] == "ok"
    leader = api.login("giamdoc")
    assert leader.user["roles"] == ["leader"]
    assert leader.get("/me").json()["full_name"] == "Nguyễn Văn Hùng"
    inbox = leader.get("/documents?box=inbox").json()
    assert len(inbox) >= 4
    assert leader.get("/meetings").status == 200


def test_demo_server_serves_meetings(demo: Api) -> None:
    leader = demo.login("giamdoc")
    meetings = leader.get("/meetings").json()
    assert meetings
    detail = leader.get(f"/meetings/{meetings[0]['id']}").json()
    assert "agenda" in detail
