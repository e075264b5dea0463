"""Event stream: HTTP catch-up, WebSocket replay then live, across processes and restarts."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import websockets

from tests.fixtures.server import ServerFactory, ServerProcess
from tests.server.conftest import Api, api_for, meeting_body


def _ws_url(server: ServerProcess, since: int) -> str:
    return server.url.replace("http", "ws", 1) + f"/api/v1/events/ws?since={since}"


def _connect(server: ServerProcess, since: int, token: str | None) -> Any:
    """A stream authenticated by the Authorization header (the only way besides a message)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return websockets.connect(_ws_url(server, since), additional_headers=headers)


async def _read_until_closed(sock: Any) -> None:
    async with asyncio.timeout(10):
        while True:
            await sock.recv()


async def _closed_code(sock: Any) -> int:
    """Wait for the server to close the stream; its close code."""
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await _read_until_closed(sock)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


async def _receive(sock: Any, count: int, within: float = 10.0) -> list[dict[str, Any]]:
    async with asyncio.timeout(within):
        return [json.loads(await sock.recv()) for _ in range(count)]


def _meeting(secretary: Api, invitees: list[int], title: str) -> dict[str, Any]:
    """Create a meeting inviting these users (its `meeting.updated` goes to them)."""
    reply = secretary.post("/meetings", meeting_body(secretary, invitees, title))
    assert reply.status == 201, reply.body
    return dict(reply.json())


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
        async with _connect(server, 0, leader.token) as sock:
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

        # Resume after the last replayed seq: the live event comes again, nothing is missed.
        async with _connect(server, history[-1]["seq"], leader.token) as sock:
            (again,) = await _receive(sock, 1)
            assert again["seq"] == live["seq"]

    asyncio.run(scenario())


def test_meeting_create_reaches_invitees_only(server: ServerProcess) -> None:
    api = api_for(server)
    secretary, guest, clerk = api.login("chanhvp"), api.login("khach"), api.login("vanthu")
    guest_since = guest.get("/events").json()["last_seq"]
    clerk_since = clerk.get("/events").json()["last_seq"]
    meeting = _meeting(secretary, [guest.user["id"]], "Họp đột xuất")
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
        async with _connect(a, since, leader_a.token) as sock:
            await asyncio.to_thread(specialist_b.post, "/documents/4/comments", {"text": "B"})
            (event,) = await _receive(sock, 1, within=3)
            return event

    assert asyncio.run(scenario())["type"] == "document.commented"


@pytest.mark.parametrize("how", ["header", "message", "other-message"])
def test_websocket_closes_4401_on_bad_token(demo_server: ServerProcess, how: str) -> None:
    async def scenario() -> int:
        async with _connect(demo_server, 0, "garbage" if how == "header" else None) as sock:
            if how == "message":
                await sock.send(json.dumps({"type": "auth", "access_token": "garbage"}))
            elif how == "other-message":
                await sock.send(json.dumps({"type": "hello"}))
            return await _closed_code(sock)

    assert asyncio.run(scenario()) == 4401


def test_first_message_authentication(demo: Api, demo_server: ServerProcess) -> None:
    """A client that cannot set headers sends its token as the first message instead."""
    leader = demo.login("giamdoc")
    history = leader.get("/events?since=0").json()["events"]

    async def scenario() -> list[dict[str, Any]]:
        async with _connect(demo_server, 0, None) as sock:
            await sock.send(json.dumps({"type": "auth", "access_token": leader.token}))
            return await _receive(sock, len(history))

    assert asyncio.run(scenario()) == history


def test_token_in_the_url_is_refused(demo: Api, demo_server: ServerProcess) -> None:
    """Finding 15: a token in the query string ends up in proxy logs; even a valid one is
    refused (4400, nothing streamed), also when a header is sent as well."""
    leader = demo.login("giamdoc")
    url = _ws_url(demo_server, 0) + f"&access_token={leader.token}"

    async def scenario(headers: dict[str, str]) -> int:
        async with websockets.connect(url, additional_headers=headers) as sock:
            return await _closed_code(sock)

    assert asyncio.run(scenario({})) == 4400
    assert asyncio.run(scenario({"Authorization": f"Bearer {leader.token}"})) == 4400


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


def test_live_events_reach_their_audience_only(server: ServerProcess) -> None:
    """A stream of a user outside an event's audience gets nothing of it: the clerk's first
    live message is the second meeting, not the first one (sent to the guest only)."""
    api = api_for(server)
    secretary, guest, clerk = api.login("chanhvp"), api.login("khach"), api.login("vanthu")
    guest_since = guest.get("/events").json()["last_seq"]
    clerk_since = clerk.get("/events").json()["last_seq"]

    async def scenario() -> tuple[dict[str, Any], ...]:
        async with (
            _connect(server, guest_since, guest.token) as g,
            _connect(server, clerk_since, clerk.token) as c,
        ):
            for_guest = await asyncio.to_thread(_meeting, secretary, [guest.user["id"]], "A")
            (to_guest,) = await _receive(g, 1)
            for_clerk = await asyncio.to_thread(_meeting, secretary, [clerk.user["id"]], "B")
            (to_clerk,) = await _receive(c, 1)
            return to_guest, to_clerk, for_guest, for_clerk

    to_guest, to_clerk, guest_meeting, clerk_meeting = asyncio.run(scenario())
    assert to_guest["data"] == {"meeting_id": guest_meeting["id"]}
    assert to_clerk["data"] == {"meeting_id": clerk_meeting["id"]}


def test_replay_across_reconnects_is_exact(server: ServerProcess) -> None:
    """While comments keep coming, a client that drops and reconnects with `since` = its last
    seq several times receives every event of its audience exactly once, in order: the switch
    from replay (database) to live (memory) has no gap and no duplicate."""
    api = api_for(server)
    leader, specialist = api.login("giamdoc"), api.login("chuyenvien1")
    start = leader.get("/events").json()["last_seq"]
    comments = 40

    def write() -> None:
        for n in range(comments):
            assert specialist.post("/documents/4/comments", {"text": f"Ý kiến {n}"}).status == 201

    async def read() -> list[int]:
        received: list[int] = []
        since = start
        writer = asyncio.create_task(asyncio.to_thread(write))
        while not writer.done() or since < leader_last():
            async with _connect(server, since, leader.token) as sock:
                for _ in range(5):  # a few events per connection, then drop it
                    try:
                        async with asyncio.timeout(0.5 if writer.done() else 10):
                            event = json.loads(await sock.recv())
                    except TimeoutError:
                        break
                    received.append(event["seq"])
                    since = event["seq"]
        await writer
        return received

    def leader_last() -> int:
        return int(leader.get(f"/events?since={start}&limit=1000").json()["last_seq"])

    received = asyncio.run(read())
    expected = [e["seq"] for e in leader.get(f"/events?since={start}&limit=1000").json()["events"]]
    assert len(expected) == comments
    assert received == expected


def test_a_position_older_than_the_window_is_told_to_resync(
    server_factory: ServerFactory,
) -> None:
    """Finding 14: only the last events are kept (`--event-keep 2` here); a client asking from
    before them gets `stream.resync` with the position to go on from (HTTP and WebSocket),
    then live events after it, never a silent gap."""
    server = server_factory(extra_args=["--event-keep", "2"])
    api = api_for(server)
    leader, specialist = api.login("giamdoc"), api.login("chuyenvien1")
    page = leader.get("/events?since=0").json()
    (resync,) = page["events"]
    assert resync["type"] == "stream.resync"
    assert resync["seq"] == page["last_seq"]
    newest = page["last_seq"]
    assert resync["data"]["oldest_seq"] == newest - 1  # the two kept events
    assert leader.get(f"/events?since={newest - 2}").json()["events"][0]["type"] != "stream.resync"
    assert leader.get(f"/events?since={newest}").json() == {"events": [], "last_seq": newest}
    future = leader.get(f"/events?since={newest + 1000}").json()  # e.g. a recreated database
    assert future["events"][0]["type"] == "stream.resync"

    async def scenario() -> list[dict[str, Any]]:
        async with _connect(server, 0, leader.token) as sock:
            (first,) = await _receive(sock, 1)
            await asyncio.to_thread(specialist.post, "/documents/4/comments", {"text": "Mới"})
            return [first, *await _receive(sock, 1)]

    first, live = asyncio.run(scenario())
    assert first["type"] == "stream.resync"
    assert first["seq"] >= newest
    assert live["type"] == "document.commented"
    assert live["seq"] > first["seq"]


def test_stream_closes_4401_when_its_token_expires(server_factory: ServerFactory) -> None:
    """The token is checked once at connect; its expiry is a timer of the stream (no query per
    stream), which closes it with 4401 even when no event comes meanwhile."""
    server = server_factory(extra_args=["--access-ttl", "2"])
    leader = api_for(server).login("giamdoc")
    since = leader.get("/events").json()["last_seq"]

    async def scenario() -> int:
        async with _connect(server, since, leader.token) as sock:
            return await _closed_code(sock)

    assert asyncio.run(scenario()) == 4401
