"""A meeting room on a real server for the poll tests: chair, secretary, four delegates."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from dataclasses import dataclass
from typing import Any

from tests.fixtures.server import ServerProcess
from tests.server.conftest import Api, Reply, api_for

DELEGATE_NAMES = ("phogiamdoc", "chuyenvien1", "chuyenvien2", "vanthu")


@dataclass
class Room:
    """Signed-in clients of one meeting (in progress unless made otherwise)."""

    meeting_id: int
    chair: Api
    secretary: Api
    delegates: list[Api]

    @property
    def base(self) -> str:
        return f"/meetings/{self.meeting_id}/polls"

    def create(self, by: Api | None = None, **body: Any) -> dict[str, Any]:
        """A draft poll, created by the secretary unless `by` says otherwise."""
        reply = (by or self.secretary).post(self.base, {"title": "Thông qua tờ trình", **body})
        assert reply.status == 201, reply.body
        return reply.json()  # type: ignore[no-any-return]

    def open(self, poll: dict[str, Any]) -> dict[str, Any]:
        reply = self.chair.post(f"{self.base}/{poll['id']}/open")
        assert reply.status == 200, reply.body
        return reply.json()  # type: ignore[no-any-return]

    def vote(self, who: Api, poll_id: int, option: int, key: str | None = None) -> Reply:
        headers = {"Idempotency-Key": key} if key else None
        return who.post(f"{self.base}/{poll_id}/vote", {"option": option}, headers=headers)

    def get(self, who: Api, poll_id: int) -> dict[str, Any]:
        reply = who.get(f"{self.base}/{poll_id}")
        assert reply.status == 200, reply.body
        return reply.json()  # type: ignore[no-any-return]


def iso(moment: dt.datetime) -> str:
    return moment.isoformat()


def make_room(server: ServerProcess, *, starts_in: dt.timedelta = -dt.timedelta(minutes=5)) -> Room:
    """A meeting chaired by giamdoc, run by chanhvp; in progress by its start time when
    `starts_in` is negative (the time rule of server/meeting_roles.py)."""
    anon = api_for(server)
    chair, secretary = anon.login("giamdoc"), anon.login("chanhvp")
    delegates = [anon.login(name) for name in DELEGATE_NAMES]
    start = dt.datetime.now(dt.UTC) + starts_in
    reply = secretary.post(
        "/meetings",
        {
            "title": f"Họp biểu quyết {uuid.uuid4().hex[:6]}",
            "starts_at": iso(start),
            "ends_at": iso(start + dt.timedelta(hours=3)),
            "chair_id": chair.user["id"],
            "secretary_id": secretary.user["id"],
            "invitee_ids": [d.user["id"] for d in delegates],
        },
    )
    assert reply.status == 201, reply.body
    return Room(reply.json()["id"], chair, secretary, delegates)


def wait_for(check: Any, timeout: float = 15.0, what: str = "condition") -> Any:
    """Poll `check()` until it returns something truthy (the thing itself, not a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
