"""What the browser-guest tests share: the seeded meeting a guest is invited to, and numbers
read from the guest page (server/guest_page/) in headless Chromium."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import aiohttp

from media.call import Call
from media.config import JanusBackend
from media.devices import TestPatternTrack, ToneTrack
from media.signaling.janus import JanusSignaling
from media.state import CallState
from tests.fixtures.chromium import ChromiumProcess
from tests.fixtures.server import ServerProcess
from tests.media.netns.engines import FAST, WAIT, frames, until
from tests.server.conftest import Api, api_for

ROOM = "cds-cap-xa"  # seeded online meeting; chair phogiamdoc, chuyenvien1 invited
GUEST = "Ông Trần Văn Khách"


def room_meeting(api: Api) -> int:
    """The id of the seeded meeting held on relay room ROOM."""
    for summary in api.get("/meetings").json():
        media = api.get(f"/meetings/{summary['id']}").json().get("media") or {}
        if media.get("room") == ROOM:
            return int(summary["id"])
    raise AssertionError("no seeded room meeting")


def janus_meeting_server(root: Path, media: dict[str, object]) -> ServerProcess:
    """The reference server, started, its seeded online meeting moved to the Janus room
    `media` names (`{"kind": "janus", "url", "room", "pin"?, "secret"?}`)."""
    proc = ServerProcess(root)
    proc.start()
    proc.set_meeting_media(room_meeting(api_for(proc).login("phogiamdoc")), media)
    return proc


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


async def janus_call_meets_guest(
    http: aiohttp.ClientSession, backend: JanusBackend, page: str, directory: Path, tag: int
) -> None:
    """A HopDesk call in `backend`'s room and a Chromium guest on `page` decode each other's
    frames (`exchange_frames`); both are stopped after."""
    call = Call(
        lambda: JanusSignaling(http, backend, "Chuyên viên 1"),
        ice_servers=(),  # never aiortc's public STUN default
        video=TestPatternTrack(tag),
        audio=ToneTrack(),
        backoff=FAST,
    )
    browser = ChromiumProcess(directory / "chromium", page)
    try:
        await exchange_frames(call, browser, http)
    finally:
        browser.stop()
        await call.close()


async def exchange_frames(
    call: Call, browser: ChromiumProcess, http: aiohttp.ClientSession
) -> None:
    """The app joins, then the guest on its page: each decodes the other's frames, until the
    guest leaves. The guest's name is the link's, given by the server (the page sends none)."""
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
    assert len(await browser.evaluate(http, "window.hopdeskGuest.peers()")) == 1
    await until_page(
        browser, http, "window.hopdeskGuest.framesDecoded()", decoded, "frames keep coming"
    )
    await browser.evaluate(http, "window.hopdeskGuest.leave()")
    await until(lambda: call.participants() == {}, "the guest left the app's call")
