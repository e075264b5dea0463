"""A browser guest in a meeting whose Janus room has a PIN: the server writes the PIN from the
meeting record into the guest's joins (server/guest_janus.py), so the page joins without ever
holding it; with a wrong PIN in the record the page says so in Vietnamese and English instead
of hanging."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from media.config import JanusBackend
from tests.fixtures.chromium import ChromiumProcess
from tests.fixtures.janus import PIN, PIN_ROOM, SECRET, JanusProcess
from tests.fixtures.server import ServerProcess
from tests.media.netns.engines import WAIT
from tests.media.netns.guest_page import janus_call_meets_guest, janus_meeting_server, until_page
from tests.media.netns.test_guest_janus import guest_link


def pin_server(root: Path, janus: JanusProcess, pin: str) -> ServerProcess:
    """The reference server, its seeded online meeting moved to the Janus room with a PIN."""
    media: dict[str, object] = {"kind": "janus", "url": janus.url, "room": PIN_ROOM}
    return janus_meeting_server(root, media | {"pin": pin, "secret": SECRET})


@pytest.fixture
def server(
    tmp_path_factory: pytest.TempPathFactory, janus: JanusProcess
) -> Iterator[ServerProcess]:
    proc = pin_server(tmp_path_factory.mktemp("server"), janus, PIN)
    yield proc
    proc.stop()


@pytest.fixture
def misconfigured(
    tmp_path_factory: pytest.TempPathFactory, janus: JanusProcess
) -> Iterator[ServerProcess]:
    proc = pin_server(tmp_path_factory.mktemp("server"), janus, "0000")
    yield proc
    proc.stop()


async def test_a_guest_joins_a_pin_room_without_knowing_the_pin(
    janus: JanusProcess, server: ServerProcess, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    page = server.url + guest_link(server)  # the page is given no PIN
    backend = JanusBackend(janus.url, PIN_ROOM, PIN)  # the app has it from the meeting record
    await janus_call_meets_guest(http, backend, page, tmp_path, 61)


async def test_a_wrong_pin_is_told_to_the_guest_not_a_hang(
    misconfigured: ServerProcess, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    link = guest_link(misconfigured)
    browser = ChromiumProcess(tmp_path / "chromium", misconfigured.url + link)
    try:
        browser.start()
        await until_page(browser, http, "window.hopdeskGuest ? 1 : 0", 0, "the guest page")
        await browser.evaluate(http, "window.hopdeskGuest.join()")
        deadline = time.monotonic() + WAIT
        while await browser.evaluate(http, "window.hopdeskGuest.status()") != "refused":
            assert time.monotonic() < deadline, "the page never said it was refused"
            await asyncio.sleep(0.1)
        message = await browser.evaluate(http, "window.hopdeskGuest.message()")
        assert "mã PIN" in message
        assert "PIN; please tell" in message
    finally:
        browser.stop()
