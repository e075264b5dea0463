"""A browser guest (headless Chromium on the server's guest page, with its fake camera) and a
HopDesk call engine in one room-relay meeting: frames decoded on both sides."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
import websockets

from media.call import Call
from media.config import IceServer, RoomBackend, parse_ice_servers
from media.devices import TestPatternTrack, ToneTrack
from media.signaling.room import RoomSignaling
from media.state import CallState
from tests.fixtures.chromium import ChromiumProcess
from tests.fixtures.server import ServerProcess
from tests.fixtures.turn import DirectUdpBlock, TurnProcess
from tests.media.netns.engines import FAST, WAIT, frames, until
from tests.server.conftest import Api, api_for

ROOM = "cds-cap-xa"  # seeded online meeting; chair phogiamdoc, chuyenvien1 invited
GUEST = "Ông Trần Văn Khách"


@pytest.fixture
def relay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path_factory.mktemp("relay"))
    proc.start()
    yield proc
    proc.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def room_meeting(api: Api) -> int:
    """The id of the seeded meeting held on relay room ROOM."""
    for summary in api.get("/meetings").json():
        media = api.get(f"/meetings/{summary['id']}").json().get("media") or {}
        if media.get("room") == ROOM:
            return int(summary["id"])
    raise AssertionError("no seeded room meeting")


async def page_value(browser: ChromiumProcess, http: aiohttp.ClientSession, js: str) -> int:
    return int(await browser.evaluate(http, js) or 0)


async def until_page(
    browser: ChromiumProcess, http: aiohttp.ClientSession, js: str, above: int, what: str
) -> int:
    """Poll a number in the page until it passes `above`."""
    deadline = time.monotonic() + WAIT
    while (value := await page_value(browser, http, js)) <= above:
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what} (last {value})")
        await asyncio.sleep(0.1)
    return value


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
        call.join()
        await until(lambda: call.status.state is CallState.CONNECTED, "the app joined")
        browser.start()
        await until_page(browser, http, "window.hopdeskGuest ? 1 : 0", 0, "the guest page")
        await browser.evaluate(http, "window.hopdeskGuest.join()")
        await until(lambda: GUEST + " (khách mời)" in call.participants().values(), "guest in")
        await until(lambda: frames(call) > 30, "Chromium's frames decoded by the app")
        decoded = await until_page(
            browser, http, "window.hopdeskGuest.framesDecoded()", 30, "the app's frames in Chromium"
        )
        assert await browser.evaluate(http, "window.hopdeskGuest.status()") == "connected"
        await until_page(
            browser, http, "window.hopdeskGuest.framesDecoded()", decoded, "frames keep coming"
        )
        await browser.evaluate(http, "window.hopdeskGuest.leave()")
        await until(lambda: call.participants() == {}, "the guest left the app's call")
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
