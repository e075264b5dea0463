"""Event stream: HTTP catch-up, WebSocket replay then live, across processes and restarts."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import websockets

from tests.fixtures.server import ServerFactory, ServerProcess
from tests.server.conftest import Api, api_for


def _ws_url(server: ServerProcess, since: int, token: str | None = None) -> str:
    url = server.url.replace("http", "ws", 1) + f"/api/v1/events/ws?since={since}"
    return url + (f"&access_token={token}" if token else "")


async def _receive(sock: Any, count: int, within: float = 10.0) -> list[dict[str, Any]]:
    async with asyncio.timeout(within):
        return [json.loads(await sock.recv()) for _ in range(count)]


def test_http_catch_up_has_seeded_assignments(demo: Api) -> None:
    leader = demo.login("giamdoc")
    page = leader.get("/events?since=0").json()
    assigned = [e for e in page["events"] if e["type"] == "document.assigned"]
    assert len(assigned) >= 4
    seqs = [e["seq"] for e in page["events"]]
    assert seqs == sorted(seqs)
    assert page["last_seq"] == seqs[-1]
    assert leader.get(f"/events?since={page['last_seq']}").json()["events"] == []


def test_websocket_replays_then_streams_live(any_db_server: ServerProcess) -> None:
    server = any_db_server
    api = api_for(server)
    leader = api.login("giamdoc")
    specialist = api.login("chuyenvien1")
    history = leader.get("/events?since=0").json()["events"]
    document_id = 4  # 215/QĐ-STTTT: giamdoc signs, chuyenvien1 drafted it

    async def scenario() -> None:
        headers = {"Authorization": f"Bearer {leader.token}"}
        async with websockets.connect(_ws_url(server, 0), additional_headers=headers) as sock:
            replayed = await _receive(sock, len(history))
            assert [e["seq"] for e in replayed] == [e["seq"] for e in history]
            reply = await asyncio.to_thread(
                specialist.post, f"/documents/{document_id}/comments", {"text": "Kính trình"}
            )
            assert reply.status == 201
            (live,) = await _receive(sock, 1, within=5)
            assert live["type"] == "document.commented"
            assert live["data"] == {"document_id": document_id, "comment_id": reply.json()["id"]}
            assert live["seq"] > history[-1]["seq"]

        # Resume after the last seen seq with the query-parameter token: nothing is missed.
        async with websockets.connect(_ws_url(server, history[-1]["seq"], leader.token)) as sock:
            (again,) = await _receive(sock, 1)
            assert again["seq"] == live["seq"]

    asyncio.run(scenario())


def test_meeting_create_reaches_invitees_only(server: ServerProcess) -> None:
    api = api_for(server)
    secretary, guest, clerk = api.login("chanhvp"), api.login("khach"), api.login("vanthu")
    guest_since = guest.get("/events").json()["last_seq"]
    clerk_since = clerk.get("/events").json()["last_seq"]
    reply = secretary.post(
        "/meetings",
        {
            "title": "Họp đột xuất",
            "starts_at": "2026-12-01T08:00:00+07:00",
            "ends_at": "2026-12-01T09:00:00+07:00",
            "location": "Phòng họp tầng 3",
            "online": False,
            "chair_id": secretary.user["id"],
            "secretary_id": secretary.user["id"],
            "invitee_ids": [guest.user["id"]],
        },
    )
    assert reply.status == 201
    meeting = reply.json()
    assert meeting["attendees"][0]["user"]["id"] == guest.user["id"]
    got = guest.get(f"/events?since={guest_since}").json()["events"]
    assert {"type": "meeting.updated", "data": {"meeting_id": meeting["id"]}}.items() <= got[
        -1
    ].items()
    assert clerk.get(f"/events?since={clerk_since}").json()["events"] == []
    assert guest.get(f"/meetings/{meeting['id']}").status == 200
    assert clerk.get(f"/meetings/{meeting['id']}").status == 404


@pytest.mark.parametrize("engine", ["sqlite", "postgres"])
def test_events_cross_server_processes(
    server_factory: ServerFactory, request: pytest.FixtureRequest, engine: str
) -> None:
    """Two processes on one database: an event written by B reaches a stream on A.

    On PostgreSQL the poll is made too slow to matter (and the 3 s wait is shorter than the
    stream's 5 s re-check): LISTEN/NOTIFY must carry it.
    """
    if engine == "postgres":
        db = request.getfixturevalue("postgres_database")()
        a = server_factory(db=db, extra_args=["--event-poll", "60"])
    else:
        a = server_factory()
    b = server_factory(db=a.db_url, seed=False)
    leader_a = api_for(a).login("giamdoc")
    specialist_b = api_for(b).login("chuyenvien1")
    since = leader_a.get("/events").json()["last_seq"]

    async def scenario() -> dict[str, Any]:
        async with websockets.connect(_ws_url(a, since, leader_a.token)) as sock:
            await asyncio.to_thread(specialist_b.post, "/documents/4/comments", {"text": "B"})
            (event,) = await _receive(sock, 1, within=3)
            return event

    assert asyncio.run(scenario())["type"] == "document.commented"


@pytest.mark.parametrize("token", ["garbage", None])
def test_websocket_closes_4401_on_bad_token(demo_server: ServerProcess, token: str | None) -> None:
    async def scenario() -> int:
        async with websockets.connect(_ws_url(demo_server, 0, token)) as sock:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await sock.recv()
            assert closed.value.rcvd is not None
            return closed.value.rcvd.code

    assert asyncio.run(scenario()) == 4401


def test_assignment_lands_in_the_inbox_and_the_stream(server: ServerProcess) -> None:
    api = api_for(server)
    clerk, specialist = api.login("vanthu"), api.login("chuyenvien2")
    since = specialist.get("/events").json()["last_seq"]
    inbox_before = {d["id"] for d in specialist.get("/documents?box=inbox").json()}
    document_id = 1  # 2456/UBND-KGVX, an incoming letter registered by the clerk
    assert document_id not in inbox_before
    reply = clerk.post(
        f"/documents/{document_id}/assignments",
        {"assignee_id": specialist.user["id"], "action": "process"},
    )
    assert reply.status == 201
    assert reply.json()["state"] == "pending"
    assert reply.json()["deadline"]
    events = specialist.get(f"/events?since={since}").json()["events"]
    assert [(e["type"], e["data"]) for e in events] == [
        ("document.assigned", {"document_id": document_id})
    ]
    inbox = specialist.get("/documents?box=inbox").json()
    assert next(d for d in inbox if d["id"] == document_id)["my_action"] == "process"
    refused = specialist.post(
        f"/documents/{document_id}/assignments",
        {"assignee_id": clerk.user["id"], "action": "process"},
    )
    assert refused.status == 403
