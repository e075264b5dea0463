"""A browser guest (headless Chromium on the server's guest page, with its fake camera) and a
HopDesk call engine in one room-relay meeting: frames decoded on both sides."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
import websockets

from media.call import Call
from media.config import IceServer, RoomBackend, parse_ice_servers
from media.devices import TestPatternTrack, ToneTrack
from media.signaling.room import RoomSignaling
from tests.fixtures.chromium import ChromiumProcess
from tests.fixtures.server import ServerProcess
from tests.fixtures.turn import DirectUdpBlock, TurnProcess
from tests.media.netns.engines import FAST
from tests.media.netns.guest_page import GUEST, ROOM, exchange_frames, room_meeting
from tests.server.conftest import api_for


@pytest.fixture
def relay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path_factory.mktemp("relay"))
    proc.start()
    yield proc
    proc.stop()


async def hold_call(
    relay: ServerProcess,
    http: aiohttp.ClientSession,
    directory: Path,
    ice: tuple[IceServer, ...] = (),
) -> str:
    """A HopDesk call and a Chromium guest in the room until each has decoded the other's
    frames; returns the spent guest link."""
    chair = api_for(relay).login("phogiamdoc")
    reply = chair.post(f"/meetings/{room_meeting(chair)}/guest-invites", {"display": GUEST})
    assert reply.status == 201, reply.body
    link = str(reply.json()["url"])
    token = str(api_for(relay).login("chuyenvien1").token)
    backend = RoomBackend(relay.url.replace("http", "ws", 1) + f"/api/v1/rooms/{ROOM}", ROOM)
    call = Call(
        lambda: RoomSignaling(http, backend, token),
        ice_servers=ice,  # never aiortc's public STUN default
        video=TestPatternTrack(131),
        audio=ToneTrack(),
        backoff=FAST,
    )
    browser = ChromiumProcess(directory, relay.url + link)
    try:
        await exchange_frames(call, browser, http)
    finally:
        browser.stop()
        await call.close()
    return link


async def test_a_chromium_guest_and_a_hopdesk_call_decode_each_others_frames(
    relay: ServerProcess, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    link = await hold_call(relay, http, tmp_path / "chromium")
    # the link was spent by this guest: a second use is refused like a bad token
    url = relay.url.replace("http", "ws", 1) + "/api/v1/guest-room"
    async with websockets.connect(url) as sock:
        await sock.send(json.dumps({"type": "auth", "guest_token": link.rsplit("#", 1)[1]}))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await sock.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4401


async def test_a_guest_behind_a_firewall_gets_turn_from_the_server(
    http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    """Direct UDP between the browser and the app is dropped; the page gets coturn from the
    server's `--guest-ice-server` and the app from its own configuration string."""
    turn = TurnProcess(tmp_path)
    turn.start()
    config = f"turn://{turn.username}:{turn.password}@{turn.url.split(':', 1)[1]}"
    relay = ServerProcess(tmp_path / "relay", extra_args=["--guest-ice-server", config])
    try:
        relay.start()
        with DirectUdpBlock(turn.port):
            await hold_call(relay, http, tmp_path / "chromium", parse_ice_servers([config]))
        assert turn.allocations() >= 2  # the app's and the browser's
    finally:
        relay.stop()
        turn.stop()
