"""A browser guest in a Janus VideoRoom meeting: headless Chromium on the server's guest page,
whose Janus messages the server carries to Debian's Janus (server/guest_janus.py), and a HopDesk
call engine publishing to the same room: frames decoded on both sides. Then what a guest's
socket may not do to Janus."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import websockets

from media.config import JanusBackend
from tests.fixtures.janus import ROOM, JanusProcess
from tests.fixtures.server import ServerProcess
from tests.media.netns.guest_page import GUEST, janus_call_meets_guest, room_meeting
from tests.media.netns.publishers import Publishers
from tests.server.conftest import api_for

TAG = 313


@pytest.fixture
def server(
    tmp_path_factory: pytest.TempPathFactory, janus: JanusProcess
) -> Iterator[ServerProcess]:
    """The reference server, its seeded online meeting moved to the Janus room."""
    proc = ServerProcess(tmp_path_factory.mktemp("server"))
    proc.start()
    meeting = room_meeting(api_for(proc).login("phogiamdoc"))
    proc.set_meeting_media(meeting, {"kind": "janus", "url": janus.url, "room": ROOM})
    yield proc
    proc.stop()


def guest_link(server: ServerProcess, display: str = GUEST) -> str:
    """A one-time link to the meeting held on Janus, made by its chair."""
    chair = api_for(server).login("phogiamdoc")
    (meeting,) = [
        m["id"]
        for m in chair.get("/meetings").json()
        if (chair.get(f"/meetings/{m['id']}").json().get("media") or {}).get("kind") == "janus"
    ]
    reply = chair.post(f"/meetings/{meeting}/guest-invites", {"display": display})
    assert reply.status == 201, reply.body
    return str(reply.json()["url"])


async def test_a_chromium_guest_and_a_hopdesk_call_decode_each_others_frames_through_janus(
    janus: JanusProcess, server: ServerProcess, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    page = server.url + guest_link(server)
    await janus_call_meets_guest(http, JanusBackend(janus.url, ROOM), page, tmp_path, TAG)


class GuestSocket:
    """The guest WebSocket spoken to by hand, as a hostile page would."""

    def __init__(self, sock: websockets.ClientConnection) -> None:
        self.sock = sock
        self.count = 0

    async def ask(self, message: dict[str, Any]) -> dict[str, Any]:
        """Send one Janus request; its answer (acks skipped)."""
        self.count += 1
        tx = f"t{self.count}"
        await self.sock.send(json.dumps({**message, "transaction": tx}))
        while True:
            reply = json.loads(await asyncio.wait_for(self.sock.recv(), 10))
            if reply.get("transaction") == tx and reply.get("janus") != "ack":
                return dict(reply)

    async def next_error(self) -> dict[str, Any]:
        """The next error on the socket (late acks and events of earlier requests skipped: an
        ack of the join could still be on its way when the test sends its nonsense)."""
        while True:
            reply = json.loads(await asyncio.wait_for(self.sock.recv(), 10))
            if reply.get("janus") == "error":
                return dict(reply)


def _error(reply: dict[str, Any]) -> int:
    return int(reply["error"]["code"]) if reply.get("janus") == "error" else 0


async def test_a_guest_socket_reaches_only_its_meeting_room(
    janus: JanusProcess, server: ServerProcess, http: aiohttp.ClientSession
) -> None:
    token = guest_link(server, "Bà Khách").rsplit("#", 1)[1]
    other = Publishers(http, janus.url, ROOM)  # a participant's own session on Janus
    await other.open()
    url = server.url.replace("http", "ws", 1) + "/api/v1/guest-room"
    try:
        async with websockets.connect(url) as sock:
            await sock.send(json.dumps({"type": "auth", "guest_token": token}))
            assert json.loads(await sock.recv())["type"] == "ice"
            assert json.loads(await sock.recv()) == {"type": "janus"}
            guest = GuestSocket(sock)
            # another participant's session is not this socket's
            assert (
                _error(await guest.ask({"janus": "keepalive", "session_id": other.session})) == 458
            )
            session = (await guest.ask({"janus": "create"}))["data"]["id"]
            assert _error(await guest.ask({"janus": "create"})) == 403  # one session
            on = {"session_id": session}
            streaming = {"janus": "attach", "plugin": "janus.plugin.streaming", **on}
            assert _error(await guest.ask(streaming)) == 403
            attached = await guest.ask(
                {"janus": "attach", "plugin": "janus.plugin.videoroom", **on}
            )
            handle = {**on, "handle_id": attached["data"]["id"]}
            for body in (
                {"request": "list"},
                {"request": "create", "room": 4321},
                {"request": "destroy", "room": ROOM},
                {"request": "rtp_forward", "room": ROOM, "host": "127.0.0.2"},
                {"request": "enable_recording", "room": ROOM, "record": True},
                {"request": "kick", "room": ROOM, "id": 1},
            ):
                assert _error(await guest.ask({"janus": "message", "body": body, **handle})) == 403
            # another room and another name are replaced by the meeting's room and the link's name
            join = {"request": "join", "ptype": "publisher", "room": 4321, "display": "Chủ trì"}
            joined = await guest.ask({"janus": "message", "body": join, **handle})
            assert joined["plugindata"]["data"]["videoroom"] == "joined", joined
            assert joined["plugindata"]["data"]["room"] == ROOM
            assert await other.displays() == ["Bà Khách (khách mời)"]
            # nonsense is answered, and the socket goes on
            await sock.send("not json")
            assert _error(await guest.next_error()) == 454
            again = await guest.ask({"janus": "attach", "plugin": "janus.plugin.videoroom", **on})
            assert again["janus"] == "success"
    finally:
        await other.close()
